package cmd

import (
	"os"
	"path/filepath"
	"testing"
)

// copyJobClient copies the jobclient binary into dir, for jobs that get
// dir as their workspace (actions/checkout in anvil exec).
func copyJobClient(tb testing.TB, dir string) {
	tb.Helper()
	b, err := os.ReadFile(bins.JobClient(tb))
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "jobclient"), b, 0o755); err != nil {
		tb.Fatal(err)
	}
}
