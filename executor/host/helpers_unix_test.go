//go:build unix

package host

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
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

// waitFor polls cond until it holds or a generous deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// alive reports whether process pid still runs. A zombie (dead, not yet
// reaped by whoever inherited it) counts as gone.
func alive(pid int) bool {
	if errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true // no /proc: trust kill(2)
	}
	// The state follows the parenthesised command name: "pid (comm) S ...".
	_, after, ok := bytes.Cut(stat, []byte(") "))
	return !ok || len(after) == 0 || after[0] != 'Z'
}

// readPids reads one pid per line from path, waiting until there are n.
func readPids(t *testing.T, path string, n int) []int {
	t.Helper()
	var pids []int
	waitFor(t, strconv.Itoa(n)+" pids in "+path, func() bool {
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

// assertAllGone fails unless every pid has ended, allowing a moment for
// the kernel to deliver SIGKILL.
func assertAllGone(t *testing.T, pids []int) {
	t.Helper()
	waitFor(t, "processes to be gone", func() bool {
		for _, pid := range pids {
			if alive(pid) {
				return false
			}
		}
		return true
	})
}

// shEnv returns a minimal environment for /bin/sh scripts.
func shEnv() []string { return []string{"PATH=/usr/bin:/bin"} }
