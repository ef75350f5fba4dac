//go:build unix

package host

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

func TestExec(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	wantDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	var interleaved strings.Builder
	for i := range 50 {
		interleaved.WriteString("out " + strconv.Itoa(i) + "\nerr " + strconv.Itoa(i) + "\n")
	}
	tests := []struct {
		name     string
		cmd      func(t *testing.T) executor.Command
		wantCode int
		wantOut  string
	}{
		{
			name:    "success",
			cmd:     func(t *testing.T) executor.Command { return executor.Command{Args: helper(t, "exit", "0")} },
			wantOut: "",
		},
		{
			name:     "exit code",
			cmd:      func(t *testing.T) executor.Command { return executor.Command{Args: helper(t, "exit", "42")} },
			wantCode: 42,
		},
		{
			name: "shell exit code",
			cmd: func(*testing.T) executor.Command {
				return executor.Command{Args: []string{"sh", "-c", "exit 3"}, Env: shEnv()}
			},
			wantCode: 3,
		},
		{
			name: "killed by a signal is 128+signal",
			cmd: func(*testing.T) executor.Command {
				return executor.Command{Args: []string{"sh", "-c", "kill -TERM $$"}, Env: shEnv()}
			},
			wantCode: 143,
		},
		{
			name: "environment exactly as given, and the job's mark",
			cmd: func(t *testing.T) executor.Command {
				return executor.Command{Args: helper(t, "env"), Env: []string{"A=1", "B=two words", "C="}}
			},
			wantOut: "A=1\nB=two words\nC=\n" + MarkVariable + "=MARK\n",
		},
		{
			name:    "empty environment inherits nothing but the job's mark",
			cmd:     func(t *testing.T) executor.Command { return executor.Command{Args: helper(t, "env")} },
			wantOut: MarkVariable + "=MARK\n",
		},
		{
			name: "working directory",
			cmd: func(t *testing.T) executor.Command {
				return executor.Command{Args: helper(t, "pwd"), Dir: dir}
			},
			wantOut: wantDir + "\n",
		},
		{
			name: "stdout and stderr merged in order",
			cmd: func(*testing.T) executor.Command {
				return executor.Command{Args: []string{"sh", "-c", "echo 1; echo 2 >&2; echo 3; echo 4 >&2"}, Env: shEnv()}
			},
			wantOut: "1\n2\n3\n4\n",
		},
		{
			name:    "helper streams merged in order",
			cmd:     func(t *testing.T) executor.Command { return executor.Command{Args: helper(t, "interleave")} },
			wantOut: interleaved.String(),
		},
		{
			name: "stdin is empty",
			cmd: func(*testing.T) executor.Command {
				return executor.Command{Args: []string{"sh", "-c", "cat; echo end"}, Env: shEnv()}
			},
			wantOut: "end\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, _ := testEnv(t, 0)
			var out testkit.LockedBuffer
			code, err := env.Exec(t.Context(), tt.cmd(t), &out)
			if err != nil {
				t.Fatalf("Exec: %v", err)
			}
			if code != tt.wantCode {
				t.Errorf("Exec exit code = %d, want %d (output %q)", code, tt.wantCode, out.String())
			}
			got := strings.ReplaceAll(out.String(), env.mark, MarkVariable+"=MARK")
			if diff := cmp.Diff(got, tt.wantOut); diff != "" {
				t.Errorf("Exec output (-got +want):\n%s", diff)
			}
		})
	}
}

func TestExecFindsProgramInCommandPath(t *testing.T) {
	t.Parallel()
	bin := t.TempDir()
	script := "#!/bin/sh\necho \"hello from $0\"\n"
	testkit.WriteExecutable(t, filepath.Join(bin, "anvil-hello"), []byte(script))
	env, _ := testEnv(t, 0)
	var out testkit.LockedBuffer
	code, err := env.Exec(t.Context(), executor.Command{
		Args: []string{"anvil-hello"},
		Env:  []string{"PATH=/nonexistent:" + bin},
	}, &out)
	if err != nil || code != 0 {
		t.Fatalf("Exec = %d, %v, want 0, nil", code, err)
	}
	if got, want := out.String(), "hello from "+filepath.Join(bin, "anvil-hello")+"\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
}

func TestExecErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		cmd      executor.Command
		wantIs   error
		wantText []string
	}{
		{
			name:     "program not in the command's PATH",
			cmd:      executor.Command{Args: []string{"anvil-no-such-program"}, Env: []string{"PATH=/usr/bin:/bin"}},
			wantIs:   ErrProgramNotFound,
			wantText: []string{`"anvil-no-such-program"`, `"/usr/bin:/bin"`},
		},
		{
			name:     "anvil's own PATH is not searched",
			cmd:      executor.Command{Args: []string{"sh", "-c", "true"}, Env: []string{"HOME=/"}},
			wantIs:   ErrProgramNotFound,
			wantText: []string{`"sh"`, `PATH ""`},
		},
		{
			name:     "no program",
			cmd:      executor.Command{},
			wantText: []string{"no program given"},
		},
		{
			name:     "missing working directory",
			cmd:      executor.Command{Args: []string{"/bin/sh", "-c", "true"}, Dir: "/nonexistent/anvil"},
			wantText: []string{"working directory", `"/nonexistent/anvil"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, _ := testEnv(t, 0)
			_, err := env.Exec(t.Context(), tt.cmd, &testkit.LockedBuffer{})
			if err == nil {
				t.Fatal("Exec succeeded, want an error")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("Exec error %v does not wrap %v", err, tt.wantIs)
			}
			for _, s := range tt.wantText {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("Exec error %q does not mention %s", err, s)
				}
			}
		})
	}
}

func TestExecCancelledBeforeStart(t *testing.T) {
	t.Parallel()
	env, root := testEnv(t, 0)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	marker := filepath.Join(root, "ran")
	_, err := env.Exec(ctx, executor.Command{Args: []string{"/bin/sh", "-c", "touch " + marker}}, &testkit.LockedBuffer{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Exec error = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the command ran although its context was cancelled")
	}
}

// failingWriter rejects every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("log sink broken") }

func TestExecOutputWriteError(t *testing.T) {
	t.Parallel()
	env, _ := testEnv(t, 0)
	// Far more than a pipe buffer: the process must not block on a full
	// pipe once the writer has failed.
	code, err := env.Exec(t.Context(), executor.Command{
		Args: []string{"sh", "-c", "i=0; while [ $i -lt 20000 ]; do echo line $i; i=$((i+1)); done"},
		Env:  shEnv(),
	}, failingWriter{})
	if code != 0 {
		t.Errorf("Exec exit code = %d, want 0", code)
	}
	if err == nil || !strings.Contains(err.Error(), "log sink broken") {
		t.Errorf("Exec error = %v, want the writer's error", err)
	}
}
