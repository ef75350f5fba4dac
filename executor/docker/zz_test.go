package docker_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/docker"
)

func TestZZCancel(t *testing.T) {
	env, _ := testJob(t, docker.Config{Grace: 2 * time.Second}, nil)
	ctx, cancel := context.WithCancel(t.Context())
	var out syncBuffer
	done := execAsync(ctx, env, executor.Command{Args: []string{"bash", "-e", "-c", "trap 'echo got interrupt; exit 130' INT\necho ready\nsleep 30 & wait"}}, &out)
	waitFor(t, "ready", func() bool { return strings.Contains(out.String(), "ready") })
	s := time.Now()
	cancel()
	r := <-done
	t.Logf("%v %v %q", time.Since(s), r, out.String())
}
