package terraform_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/terraform"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// fakeTerraform writes an executable shell script named terraform into a
// new directory and returns the directory.
func fakeTerraform(t *testing.T, script string) string {
	t.Helper()
	dir := t.TempDir()
	testkit.WriteExecutable(t, filepath.Join(dir, "terraform"), []byte("#!/bin/sh\n"+script))
	return dir
}

func TestToolInterrupt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// script runs as terraform; it prints "ready" once its trap is set.
		script   string
		grace    time.Duration
		wantCode int
		wantOut  string
		wantLog  string
		maxTime  time.Duration
	}{
		{
			// Terraform treats a second interrupt as "exit now, keep the
			// lock": the tool must send exactly one. The script exits with
			// the number of interrupts it got, after waiting for more.
			name: "one interrupt, then a graceful exit",
			script: `n=0
trap 'n=$((n+1))' INT
echo ready
while [ $n -eq 0 ]; do sleep 0.05; done
sleep 0.5
echo "interrupts=$n"
exit $n`,
			grace: time.Minute, wantCode: 1, wantOut: "interrupts=1", wantLog: "Interrupting terraform apply", maxTime: 20 * time.Second,
		},
		{
			name: "killed after the grace period",
			script: `trap '' INT
echo ready
while :; do sleep 0.05; done`,
			grace: 300 * time.Millisecond, wantCode: -1, wantLog: "did not stop within 300ms; killing it", maxTime: 20 * time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := fakeTerraform(t, tt.script)
			var log testkit.LockedBuffer
			tool := terraform.NewTool(terraform.ToolConfig{Env: []string{"PATH=" + dir + ":/usr/bin:/bin"}, Stderr: &log, Grace: tt.grace})
			ctx, cancel := context.WithCancel(t.Context())
			out := &readyWriter{ready: make(chan struct{})}
			go func() {
				select {
				case <-out.ready:
					cancel()
				case <-time.After(10 * time.Second):
				}
			}()
			start := time.Now()
			code, err := tool.Run(ctx, terraform.Invocation{Dir: dir, Args: []string{"apply"}, Stdout: out})
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Run() error = %v, want context.Canceled wrapped", err)
			}
			if code != tt.wantCode {
				t.Errorf("Run() exit code = %d, want %d; output:\n%s", code, tt.wantCode, out.String())
			}
			if !strings.Contains(out.String(), tt.wantOut) || !strings.Contains(log.String(), tt.wantLog) {
				t.Errorf("output %q and log %q, want %q and %q", out.String(), log.String(), tt.wantOut, tt.wantLog)
			}
			if d := time.Since(start); d > tt.maxTime {
				t.Errorf("Run() took %s", d)
			}
		})
	}
}

// readyWriter closes ready once "ready" was written.
type readyWriter struct {
	testkit.LockedBuffer
	ready chan struct{}
	once  sync.Once
}

func (w *readyWriter) Write(p []byte) (int, error) {
	n, err := w.LockedBuffer.Write(p)
	if strings.Contains(w.String(), "ready") {
		w.once.Do(func() { close(w.ready) })
	}
	return n, err
}

func TestToolEnvironmentAndLookup(t *testing.T) {
	t.Parallel()
	dir := fakeTerraform(t, `echo "args=$* CHECKPOINT_DISABLE=$CHECKPOINT_DISABLE TF_INPUT=$TF_INPUT TF_WORKSPACE=$TF_WORKSPACE"`)
	var out bytes.Buffer
	tool := terraform.NewTool(terraform.ToolConfig{Env: []string{"PATH=/nowhere:" + dir}})
	code, err := tool.Run(t.Context(), terraform.Invocation{Args: []string{"output", "-json"}, Env: []string{"TF_WORKSPACE=prod"}, Stdout: &out})
	if err != nil || code != 0 {
		t.Fatalf("Run() = %d, %v", code, err)
	}
	if want := "args=output -json CHECKPOINT_DISABLE=1 TF_INPUT=0 TF_WORKSPACE=prod\n"; out.String() != want {
		t.Errorf("terraform saw %q, want %q", out.String(), want)
	}

	missing := terraform.NewTool(terraform.ToolConfig{Env: []string{"PATH=/nowhere"}})
	if _, err := missing.Run(t.Context(), terraform.Invocation{Args: []string{"version"}}); !errors.Is(err, terraform.ErrNoTerraform) {
		t.Errorf("Run() without terraform on the PATH = %v, want ErrNoTerraform", err)
	}
}
