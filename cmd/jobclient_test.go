package cmd

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// buildJobClient builds internal/jobclient, statically, so that it runs in
// containers too, beside the anvil binary of the tests.
var buildJobClient = sync.OnceValues(func() (string, error) {
	anvil, err := buildBin()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(filepath.Dir(anvil), "jobclient")
	cmd := exec.Command("go", "build", "-o", bin, "codeberg.org/anvil-ci/anvil/internal/jobclient")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building jobclient: %v\n%s", err, out)
	}
	return bin, nil
})

// jobClient returns the path of the jobclient binary: a job's client of
// the artifact and cache APIs, run by the workflows of tests.
func jobClient(tb testing.TB) string {
	tb.Helper()
	bin, err := buildJobClient()
	if err != nil {
		tb.Fatal(err)
	}
	return bin
}

// copyJobClient copies the jobclient binary into dir, for jobs that get
// dir as their workspace (actions/checkout in anvil exec).
func copyJobClient(tb testing.TB, dir string) {
	tb.Helper()
	b, err := os.ReadFile(jobClient(tb))
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "jobclient"), b, 0o755); err != nil {
		tb.Fatal(err)
	}
}
