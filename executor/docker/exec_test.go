package docker_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/docker"
	"codeberg.org/anvil-ci/anvil/executor/docker/dockertest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

func TestExec(t *testing.T) {
	t.Parallel()
	env, spec := testJob(t, docker.Config{}, nil)
	ws := env.Path(spec.Workspace)
	if err := os.WriteFile(filepath.Join(spec.Workspace, "from-host.txt"), []byte("written on the host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		cmd      executor.Command
		wantCode int
		wantOut  string
		wantErr  error
		errText  string
	}{
		{name: "exit code and merged output in order", cmd: executor.Command{Args: []string{"sh", "-c", "echo out; echo err >&2; echo out2; exit 3"}}, wantCode: 3, wantOut: "out\nerr\nout2\n"},
		{name: "environment and directory", cmd: executor.Command{Args: []string{"sh", "-c", `echo "$GREETING from $(pwd)"; cat from-host.txt`}, Env: []string{"GREETING=hi"}, Dir: ws}, wantOut: "hi from /workspace/anvil/demo\nwritten on the host\n"},
		{name: "variables that are not shell names reach the program", cmd: executor.Command{Args: []string{"node", "-e", `console.log(process.env["INPUT_WHO-TO-GREET"])`}, Env: []string{"INPUT_WHO-TO-GREET=Anvil", "PATH=/usr/bin:/bin"}}, wantOut: "Anvil\n"},
		{name: "the container's environment is the base", cmd: executor.Command{Args: []string{"sh", "-c", "echo $LANG"}}, wantOut: "C.UTF-8\n"},
		{name: "killed by a signal", cmd: executor.Command{Args: []string{"sh", "-c", "kill -TERM $$"}}, wantCode: 128 + 15},
		{name: "missing program", cmd: executor.Command{Args: []string{"no-such-program"}, Env: []string{"PATH=/usr/bin:/bin"}}, wantCode: 127, wantErr: docker.ErrProgramNotFound, errText: `"no-such-program" is not in PATH "/usr/bin:/bin"`},
		{name: "missing directory", cmd: executor.Command{Args: []string{"true"}, Dir: "/nowhere"}, wantCode: 1, errText: `working directory "/nowhere" does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: Exec calls of one environment run one at a time.
			var out testkit.LockedBuffer
			code, err := env.Exec(t.Context(), tt.cmd, &out)
			if code != tt.wantCode {
				t.Errorf("Exec exit code = %d, want %d (output %q)", code, tt.wantCode, out.String())
			}
			switch {
			case tt.errText == "" && err != nil:
				t.Errorf("Exec error = %v, want nil", err)
			case tt.errText != "" && (err == nil || !strings.Contains(err.Error(), tt.errText)):
				t.Errorf("Exec error = %v, want one containing %q", err, tt.errText)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("Exec error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantOut != "" && out.String() != tt.wantOut {
				t.Errorf("Exec output = %q, want %q", out.String(), tt.wantOut)
			}
		})
	}
}

func TestExecCancelGrace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		script   string
		grace    time.Duration
		wantCode int
		wantOut  string
		// The process must be killed no earlier than minElapsed.
		minElapsed time.Duration
	}{
		{
			name:     "a process trapping SIGINT runs its handler",
			script:   `trap 'echo cleaning up after interrupt; exit 7' INT; echo ready; while :; do sleep 0.05; done`,
			grace:    time.Minute,
			wantCode: 7,
			wantOut:  "ready\ncleaning up after interrupt\n",
		},
		{
			name:       "a process ignoring SIGINT is killed after the grace period",
			script:     `trap '' INT; echo ready; while :; do sleep 0.05; done`,
			grace:      400 * time.Millisecond,
			wantCode:   128 + 9,
			wantOut:    "ready\n",
			minElapsed: 400 * time.Millisecond,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, _ := testJob(t, docker.Config{Grace: tt.grace}, nil)
			ctx, cancel := context.WithCancel(t.Context())
			var out testkit.LockedBuffer
			done := execAsync(ctx, env, executor.Command{Args: []string{"bash", "-c", tt.script}}, &out)
			testkit.WaitFor(t, 20*time.Second, "the step to be ready", func() bool { return strings.Contains(out.String(), "ready\n") })
			cancelled := time.Now()
			cancel()
			var res execResult
			select {
			case res = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("Exec did not return within 30s of the cancellation")
			}
			if elapsed := time.Since(cancelled); elapsed < tt.minElapsed {
				t.Errorf("Exec returned %v after the cancellation, want at least the grace period %v", elapsed, tt.minElapsed)
			}
			if res.err != nil {
				t.Errorf("Exec error = %v, want nil", res.err)
			}
			if res.code != tt.wantCode {
				t.Errorf("Exec exit code = %d, want %d", res.code, tt.wantCode)
			}
			if got := out.String(); got != tt.wantOut {
				t.Errorf("output = %q, want %q", got, tt.wantOut)
			}
		})
	}
}

func TestExecCancelKillsProcessTree(t *testing.T) {
	t.Parallel()
	env, _ := testJob(t, docker.Config{Grace: 500 * time.Millisecond}, nil)
	ctx, cancel := context.WithCancel(t.Context())
	// A background child and a grandchild in a subshell, which ignore
	// SIGINT as background processes of a shell do: only the kill after
	// the grace period ends them.
	script := `(sleep 1000 & wait) & sleep 1001 & echo started; wait`
	var out testkit.LockedBuffer
	done := execAsync(ctx, env, executor.Command{Args: []string{"sh", "-c", script}}, &out)
	testkit.WaitFor(t, 20*time.Second, "the step to start", func() bool { return strings.Contains(out.String(), "started") })
	if n := sleepers(t, env); n != 2 {
		t.Fatalf("%d sleep processes before the cancellation, want 2", n)
	}
	cancel()
	select {
	case res := <-done:
		if res.err != nil || res.code < 128 {
			t.Errorf("Exec = %d, %v, want a signal's 128+n and nil", res.code, res.err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Exec did not return after the cancellation")
	}
	testkit.WaitFor(t, 20*time.Second, "the step's processes to be gone", func() bool { return sleepers(t, env) == 0 })
}

// sleepers counts the sleep processes in the job container.
func sleepers(t *testing.T, env *docker.Environment) int {
	t.Helper()
	var out testkit.LockedBuffer
	if _, err := env.Exec(t.Context(), executor.Command{Args: []string{"sh", "-c", "ps -eo comm= | grep -c '^sleep$' || true"}}, &out); err != nil {
		t.Fatalf("counting processes: %v", err)
	}
	return strings.Count(strings.Repeat("x", atoi(strings.TrimSpace(out.String()))), "x")
}

func TestExecBackgroundProcess(t *testing.T) {
	t.Parallel()
	env, _ := testJob(t, docker.Config{}, nil)
	// The background sleep inherits stdout and keeps the stream open.
	start := time.Now()
	var out testkit.LockedBuffer
	code, err := env.Exec(t.Context(), executor.Command{Args: []string{"sh", "-c", "sleep 1000 & echo started"}}, &out)
	if err != nil || code != 0 {
		t.Fatalf("Exec = %d, %v, want 0, nil", code, err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Exec took %v: the background process held it up", elapsed)
	}
	if n := sleepers(t, env); n != 1 {
		t.Errorf("%d background processes after the step, want 1: it lives until Close", n)
	}
	var next testkit.LockedBuffer
	if code, err := env.Exec(t.Context(), executor.Command{Args: []string{"echo", "next"}}, &next); err != nil || code != 0 || next.String() != "next\n" {
		t.Errorf("next Exec = %d, %v, %q, want 0, nil, %q", code, err, next.String(), "next\n")
	}
}

func TestClose(t *testing.T) {
	t.Parallel()
	env, _ := testJob(t, docker.Config{}, nil)
	for i := range 2 {
		if err := env.Close(t.Context()); err != nil {
			t.Fatalf("Close #%d: %v, want nil (Close is idempotent)", i+1, err)
		}
	}
	if _, err := env.Exec(t.Context(), executor.Command{Args: []string{"true"}}, &testkit.LockedBuffer{}); !errors.Is(err, docker.ErrClosed) {
		t.Errorf("Exec after Close error = %v, want ErrClosed", err)
	}
	if _, err := env.RunContainerAction(t.Context(), executor.ContainerAction{Image: "x"}, &testkit.LockedBuffer{}); !errors.Is(err, docker.ErrClosed) {
		t.Errorf("RunContainerAction after Close error = %v, want ErrClosed", err)
	}
}

func TestHasProgram(t *testing.T) {
	t.Parallel()
	env, _ := testJob(t, docker.Config{}, nil)
	for _, tt := range []struct {
		name, path string
		want       bool
	}{
		{"node", "/usr/local/bin:/usr/bin:/bin", true},
		{"bash", "/usr/bin:/bin", true},
		{"bash", "/nowhere", false},
		{"pwsh", "/usr/local/bin:/usr/bin:/bin", false},
	} {
		if got := env.HasProgram(t.Context(), tt.name, tt.path); got != tt.want {
			t.Errorf("HasProgram(%q, %q) = %v, want %v", tt.name, tt.path, got, tt.want)
		}
	}
}

func TestPathOutsideTheRoot(t *testing.T) {
	t.Parallel()
	env, _ := testJob(t, docker.Config{}, nil)
	action := filepath.Join(t.TempDir(), "cache", "some-action")
	if err := os.MkdirAll(action, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(action, "main.js"), []byte("console.log('copied action runs')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := env.Path(action)
	if p == action || !strings.HasPrefix(p, docker.RootPath+"/") {
		t.Fatalf("Path(%q) = %q, want a copy under %s", action, p, docker.RootPath)
	}
	if again := env.Path(action); again != p {
		t.Errorf("second Path(%q) = %q, want the same copy %q", action, again, p)
	}
	var out testkit.LockedBuffer
	if code, err := env.Exec(t.Context(), executor.Command{Args: []string{"node", p + "/main.js"}, Env: []string{"PATH=/usr/bin:/bin"}}, &out); err != nil || code != 0 {
		t.Fatalf("running the copied action = %d, %v (%s)", code, err, out.String())
	}
	if got := out.String(); got != "copied action runs\n" {
		t.Errorf("output = %q", got)
	}
	if got := env.Path("/does/not/exist"); got != "/does/not/exist" {
		t.Errorf("Path of a missing file = %q, want it unchanged", got)
	}
}

func TestJobContainerWithoutTail(t *testing.T) {
	t.Parallel()
	cli := dockertest.Client(t)
	root := filepath.Join(t.TempDir(), "job")
	spec := executor.JobSpec{JobID: "notail", Root: root, Workspace: filepath.Join(root, "w", "r"),
		Container: &executor.ContainerSpec{Image: dockertest.Image, Options: "--tmpfs /usr/bin"}}
	const want = "code 127: the image needs tail and sh"
	env, err := docker.New(cli, docker.Config{Labels: dockertest.Labels(t, cli)}).Prepare(t.Context(), spec)
	if err == nil {
		// The container may still run when Prepare looks: then the first
		// step says why it cannot run.
		defer env.Close(context.Background())
		testkit.WaitFor(t, 20*time.Second, "the container to stop", func() bool {
			_, err = env.Exec(t.Context(), executor.Command{Args: []string{"true"}}, &testkit.LockedBuffer{})
			return err != nil
		})
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v, want one containing %q", err, want)
	}
}

func TestUserOption(t *testing.T) {
	t.Parallel()
	env, _ := testJob(t, docker.Config{}, func(s *executor.JobSpec) {
		s.Container.Options = "--user 1000:1000"
	})
	var out testkit.LockedBuffer
	if _, err := env.Exec(t.Context(), executor.Command{Args: []string{"id", "-u"}}, &out); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out.String()); got != "1000" {
		t.Errorf("id -u = %q, want 1000", got)
	}
}

func execAsync(ctx context.Context, env *docker.Environment, cmd executor.Command, out *testkit.LockedBuffer) <-chan execResult {
	done := make(chan execResult, 1)
	go func() {
		code, err := env.Exec(ctx, cmd, out)
		done <- execResult{code, err}
	}()
	return done
}

type execResult struct {
	code int
	err  error
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return -1
		}
		n = n*10 + int(r-'0')
	}
	return n
}
