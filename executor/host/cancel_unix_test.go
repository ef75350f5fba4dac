//go:build unix

package host

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// execAsync runs Exec in the background, reporting its result on the
// returned channel.
func execAsync(ctx context.Context, env *Environment, cmd executor.Command, out *testkit.LockedBuffer) <-chan execResult {
	done := make(chan execResult, 1)
	go func() {
		start := time.Now()
		code, err := env.Exec(ctx, cmd, out)
		done <- execResult{code, err, time.Since(start)}
	}()
	return done
}

type execResult struct {
	code    int
	err     error
	elapsed time.Duration
}

func TestExecCancelKillsProcessTree(t *testing.T) {
	t.Parallel()
	env, root := testEnv(t, 500*time.Millisecond)
	pids := filepath.Join(root, "pids")
	// The leader, a background child and a grandchild in a subshell. The
	// background processes of a non-interactive shell ignore SIGINT, so
	// only the kill after the grace period ends them.
	script := `
		(sleep 1000 & echo $! >> "$PIDS"; wait) &
		echo $! >> "$PIDS"
		sleep 1000 &
		echo $! >> "$PIDS"
		echo $$ >> "$PIDS"
		wait`
	ctx, cancel := context.WithCancel(t.Context())
	done := execAsync(ctx, env, executor.Command{
		Args: []string{"sh", "-c", script},
		Env:  append(shEnv(), "PIDS="+pids),
	}, &testkit.LockedBuffer{})
	all := readPids(t, pids, 4)
	for _, pid := range all {
		if !testkit.Running(pid) {
			t.Fatalf("process %d ended before the cancellation", pid)
		}
	}
	cancel()
	select {
	case res := <-done:
		if res.err != nil {
			t.Errorf("Exec error = %v, want nil for a cancelled step", res.err)
		}
		if res.code < 128 {
			t.Errorf("Exec exit code = %d, want a signal's 128+n", res.code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Exec did not return after cancellation")
	}
	testkit.CheckEnded(t, all, "outlived the cancellation")
}

func TestExecCancelGrace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		mode     string
		grace    time.Duration
		wantCode int
		wantOut  string
		// The process must be killed no earlier than minElapsed and must
		// be gone well before maxElapsed.
		minElapsed, maxElapsed time.Duration
	}{
		{
			name:       "a process trapping SIGINT runs its handler",
			mode:       "trap",
			grace:      time.Minute,
			wantCode:   7,
			wantOut:    "ready\ncleaning up after interrupt\n",
			maxElapsed: 30 * time.Second,
		},
		{
			name:       "a process ignoring SIGINT is killed after the grace period",
			mode:       "ignore",
			grace:      400 * time.Millisecond,
			wantCode:   128 + 9,
			wantOut:    "ready\n",
			minElapsed: 400 * time.Millisecond,
			maxElapsed: 30 * time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, _ := testEnv(t, tt.grace)
			ctx, cancel := context.WithCancel(t.Context())
			var out testkit.LockedBuffer
			done := execAsync(ctx, env, executor.Command{Args: helper(t, tt.mode)}, &out)
			testkit.WaitFor(t, 10*time.Second, "the helper to be ready", func() bool { return strings.Contains(out.String(), "ready\n") })
			cancelled := time.Now()
			cancel()
			var res execResult
			select {
			case res = <-done:
			case <-time.After(tt.maxElapsed):
				t.Fatalf("Exec did not return within %v of the cancellation", tt.maxElapsed)
			}
			elapsed := time.Since(cancelled)
			if res.err != nil {
				t.Errorf("Exec error = %v, want nil", res.err)
			}
			if res.code != tt.wantCode {
				t.Errorf("Exec exit code = %d, want %d", res.code, tt.wantCode)
			}
			if got := out.String(); got != tt.wantOut {
				t.Errorf("output = %q, want %q", got, tt.wantOut)
			}
			if elapsed < tt.minElapsed {
				t.Errorf("Exec returned %v after the cancellation, want at least the grace period %v", elapsed, tt.minElapsed)
			}
		})
	}
}

func TestExecBackgroundProcess(t *testing.T) {
	t.Parallel()
	env, root := testEnv(t, time.Second)
	pidFile := filepath.Join(root, "pid")
	// The background sleep inherits stdout and keeps the pipe open.
	res := <-execAsync(t.Context(), env, executor.Command{
		Args: []string{"sh", "-c", `sleep 1000 & echo $! > "$PIDFILE"; echo started`},
		Env:  append(shEnv(), "PIDFILE="+pidFile),
	}, &testkit.LockedBuffer{})
	if res.err != nil || res.code != 0 {
		t.Fatalf("Exec = %d, %v, want 0, nil", res.code, res.err)
	}
	if res.elapsed > 5*time.Second {
		t.Errorf("Exec took %v: the background process held it up", res.elapsed)
	}
	pids := readPids(t, pidFile, 1)
	if !testkit.Running(pids[0]) {
		t.Fatal("the background process ended with its step; it should live until Close")
	}

	// The next step still runs normally.
	var out testkit.LockedBuffer
	if code, err := env.Exec(t.Context(), executor.Command{Args: []string{"/bin/echo", "next"}}, &out); err != nil || code != 0 {
		t.Fatalf("second Exec = %d, %v, want 0, nil", code, err)
	}
	if got := out.String(); got != "next\n" {
		t.Errorf("second Exec output = %q, want %q", got, "next\n")
	}

	if err := env.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	testkit.CheckEnded(t, pids, "outlived Close")
}

func TestClose(t *testing.T) {
	t.Parallel()
	env, _ := testEnv(t, time.Second)
	for i := range 2 {
		if err := env.Close(t.Context()); err != nil {
			t.Fatalf("Close #%d: %v, want nil (Close is idempotent)", i+1, err)
		}
	}
	_, err := env.Exec(t.Context(), executor.Command{Args: []string{"/bin/true"}}, &testkit.LockedBuffer{})
	if !errors.Is(err, ErrClosed) {
		t.Errorf("Exec after Close error = %v, want ErrClosed", err)
	}
}

func TestPrepare(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "jobs", "job-1")
	spec := executor.JobSpec{
		JobID:     "job-1",
		Root:      root,
		Workspace: filepath.Join(root, "workspace", "repo"),
		Temp:      filepath.Join(root, "temp"),
	}
	env, err := New(Config{}).Prepare(t.Context(), spec)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	defer env.Close(t.Context())
	for _, dir := range []string{spec.Root, spec.Workspace, spec.Temp} {
		fi, err := os.Stat(dir)
		if err != nil || !fi.IsDir() {
			t.Errorf("Prepare did not create directory %s: %v", dir, err)
		}
	}
	if got := env.Path(spec.Workspace); got != spec.Workspace {
		t.Errorf("Path(%q) = %q, want it unchanged", spec.Workspace, got)
	}
	// Preparing again over existing directories is fine.
	again, err := New(Config{}).Prepare(t.Context(), spec)
	if err != nil {
		t.Fatalf("Prepare over existing directories: %v", err)
	}
	again.Close(t.Context())
}

func TestPrepareErrors(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		spec executor.JobSpec
		want string
	}{
		{name: "no root", ctx: t.Context(), spec: executor.JobSpec{JobID: "j"}, want: "no root directory"},
		{name: "root below a file", ctx: t.Context(), spec: executor.JobSpec{JobID: "j", Root: filepath.Join(file, "root")}, want: "creating job directory"},
		{name: "cancelled", ctx: cancelled, spec: executor.JobSpec{JobID: "j", Root: t.TempDir()}, want: "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(Config{}).Prepare(tt.ctx, tt.spec)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Prepare error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
