package cmd

import (
	"os"
	"path/filepath"
	"testing"

	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// copyJobClient copies the jobclient binary into dir, for jobs that get
// dir as their workspace (actions/checkout in anvil exec).
func copyJobClient(tb testing.TB, dir string) {
	tb.Helper()
	b, err := os.ReadFile(bins.JobClient(tb))
	if err != nil {
		tb.Fatal(err)
	}
	testkit.WriteExecutable(tb, filepath.Join(dir, "jobclient"), b)
}
