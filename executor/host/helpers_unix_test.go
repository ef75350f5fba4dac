//go:build unix

package host

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// testEnv prepares a host Environment in a temporary directory and closes
// it when the test ends.
func testEnv(t *testing.T, grace time.Duration) (*Environment, string) {
	t.Helper()
	root := t.TempDir()
	env, err := New(Config{Grace: grace}).Prepare(t.Context(), executor.JobSpec{
		JobID: "test", Root: root, Workspace: filepath.Join(root, "ws"), Temp: filepath.Join(root, "tmp"),
	})
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	t.Cleanup(func() { _ = env.Close(context.Background()) })
	return env.(*Environment), root
}

// readPids reads one pid per line from path, waiting until there are n.
func readPids(t *testing.T, path string, n int) []int {
	t.Helper()
	var pids []int
	testkit.WaitFor(t, 10*time.Second, strconv.Itoa(n)+" pids in "+path, func() bool {
		data, err := os.ReadFile(path)
		if err != nil {
			return false
		}
		pids = pids[:0]
		for f := range strings.FieldsSeq(string(data)) {
			pid, err := strconv.Atoi(f)
			if err != nil {
				return false
			}
			pids = append(pids, pid)
		}
		return len(pids) >= n
	})
	return pids
}

// shEnv returns a minimal environment for /bin/sh scripts.
func shEnv() []string { return []string{"PATH=/usr/bin:/bin"} }
