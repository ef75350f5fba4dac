package docker_test

import (
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/docker"
)

func TestSmoke(t *testing.T) {
	start := time.Now()
	env, spec := testJob(t, docker.Config{}, nil)
	t.Logf("prepare %v", time.Since(start))
	for i := 0; i < 3; i++ {
		var out syncBuffer
		s := time.Now()
		code, err := env.Exec(t.Context(), executor.Command{Args: []string{"sh", "-c", "echo hi $FOO; pwd; echo err >&2; exit 3"}, Env: []string{"FOO=bar"}, Dir: env.Path(spec.Workspace)}, &out)
		t.Logf("exec %v: %d %v %q", time.Since(s), code, err, out.String())
	}
	s := time.Now()
	t.Logf("has bash %v %v", env.HasProgram(t.Context(), "bash", "/usr/bin:/bin"), time.Since(s))
	t.Logf("has nope %v", env.HasProgram(t.Context(), "nope", "/usr/bin:/bin"))
	t.Logf("base env %v", env.BaseEnv())
	c, s2 := env.JobContext()
	t.Logf("ctx %v %v", c, s2)
	s = time.Now()
	env.Close(t.Context())
	t.Logf("close %v", time.Since(s))
}
