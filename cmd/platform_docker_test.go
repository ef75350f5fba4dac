package cmd

import (
	"os"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor/docker/dockertest"
)

// TestExecDocker runs anvil exec -P LABEL=docker://IMAGE through Main, with
// the real engine and Docker backend: the job runs in a container of the
// test image, and a Ctrl-C still runs the cancelled() step in it.
func TestExecDocker(t *testing.T) {
	t.Parallel()
	dockertest.Client(t)
	platform := "ubuntu-latest=docker://" + dockertest.Image
	env := map[string]string{"PATH": os.Getenv("PATH"), "DOCKER_HOST": os.Getenv("DOCKER_HOST")}

	t.Run("job in a container", func(t *testing.T) {
		t.Parallel()
		repo := copyFixture(t, "exec/hello")
		proc, stdout, stderr := testProcess(env)
		code := Main(t.Context(), proc, []string{"exec", "-C", repo, "--workdir", t.TempDir(), "-P", platform, "--var", "WHO=docker", "-s", "TOKEN=s3cr3t-value"})
		if code != ExitOK {
			t.Fatalf("anvil exec -P %s exited %d\nstdout:\n%s\nstderr:\n%s", platform, code, stdout, stderr)
		}
		for _, w := range []string{"workspace /workspace/", "[hello/greet]   | hello docker from ", "token=***", "[hello/greet] ✓ job success"} {
			if !strings.Contains(stdout.String(), w) {
				t.Errorf("stdout lacks %q:\n%s", w, stdout)
			}
		}
		if strings.Contains(stdout.String(), "s3cr3t-value") || strings.Contains(stderr.String(), "no -P given") {
			t.Errorf("output shows the secret or the host note:\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
		}
	})

	t.Run("interrupt", func(t *testing.T) {
		t.Parallel()
		repo := copyFixture(t, "exec/cancel")
		interrupts := make(chan os.Signal, 2)
		out := &watchWriter{want: "sleeping now", seen: make(chan struct{})}
		proc, _, stderr := testProcess(env)
		proc.Stdout, proc.Interrupts = out, interrupts
		go func() {
			select {
			case <-out.seen:
				interrupts <- os.Interrupt
			case <-time.After(time.Minute):
			}
		}()
		start := time.Now()
		code := Main(t.Context(), proc, []string{"exec", "-C", repo, "--grace", "1s", "--workdir", t.TempDir(), "-P", platform})
		if code != ExitFailed {
			t.Errorf("interrupted anvil exec exited %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitFailed, out.String(), stderr)
		}
		if d := time.Since(start); d > 45*time.Second {
			t.Errorf("interrupted anvil exec took %s; the sleep was not cancelled", d)
		}
		if !strings.Contains(out.String(), "cleanup ran") {
			t.Errorf("the cancelled() step did not run in the container:\n%s", out.String())
		}
	})
}
