package testkit_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// TestWriteExecutable writes scripts and runs each at once while other
// goroutines keep forking, the load under which os.WriteFile then exec
// fails with "text file busy": every run must succeed, and the file is
// mode 0755.
func TestWriteExecutable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	done := make(chan struct{})
	var forks sync.WaitGroup
	for range 4 {
		forks.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				_ = exec.Command("true").Run()
			}
		})
	}
	defer func() { close(done); forks.Wait() }()
	for i := range 50 {
		path := filepath.Join(dir, fmt.Sprintf("tool-%d", i))
		testkit.WriteExecutable(t, path, fmt.Appendf(nil, "#!/bin/sh\necho run %d\n", i))
		out, err := exec.Command(path).CombinedOutput()
		if want := fmt.Sprintf("run %d\n", i); err != nil || string(out) != want {
			t.Fatalf("running %s = %q, %v; want %q", path, out, err, want)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o755 {
			t.Fatalf("mode of %s = %v, %v; want 0755", path, fi.Mode(), err)
		}
	}
}
