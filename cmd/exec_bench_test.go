package cmd

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// actVersion is the upstream act whose CLI the whole-process benchmark
// runs against.
const actVersion = "v0.2.89"

// BenchmarkExecProcessVsAct runs the 3-step host job of testdata/bench as
// whole processes, "anvil exec" against act's CLI in self-hosted mode
// (-P ubuntu-latest=-self-hosted), alternating which goes first, and
// reports the median wall time of each and their ratio. The target is a
// ratio of at most 0.25. act comes from go install
// github.com/nektos/act@v0.2.89 into the user cache directory; without
// the module proxy the benchmark skips and says so.
func BenchmarkExecProcessVsAct(b *testing.B) {
	act, err := installAct(b.Context())
	if err != nil {
		b.Skipf("act %s is not available, so there is nothing to compare with: %v", actVersion, err)
	}
	anvil := bins.Anvil(b)
	repo := benchRepo(b)
	// act keeps its cache and settings under HOME; a fresh one per run
	// keeps the user's out and stops it asking for a default image.
	home := b.TempDir()
	env := append(os.Environ(), "HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"))
	runAnvil := func() time.Duration { return timeProcess(b, repo, env, anvil, "exec") }
	runAct := func() time.Duration {
		return timeProcess(b, repo, env, act, "push", "-W", ".forgejo/workflows", "-P", "ubuntu-latest=-self-hosted")
	}
	var anvilTimes, actTimes []time.Duration
	for b.Loop() {
		if len(anvilTimes)%2 == 0 {
			anvilTimes = append(anvilTimes, runAnvil())
			actTimes = append(actTimes, runAct())
		} else {
			actTimes = append(actTimes, runAct())
			anvilTimes = append(anvilTimes, runAnvil())
		}
	}
	anvilMS, actMS := ms(medianOf(anvilTimes)), ms(medianOf(actTimes))
	b.ReportMetric(anvilMS, "anvil-ms/job")
	b.ReportMetric(actMS, "act-ms/job")
	b.ReportMetric(anvilMS/actMS, "ratio")
}

// BenchmarkVersionProcess reports the median wall time of "anvil version",
// which is almost all process start-up. The target is at most 10 ms.
func BenchmarkVersionProcess(b *testing.B) {
	anvil := bins.Anvil(b)
	dir := b.TempDir()
	var took []time.Duration
	for b.Loop() {
		took = append(took, timeProcess(b, dir, os.Environ(), anvil, "version"))
	}
	b.ReportMetric(ms(medianOf(took)), "version-ms")
}

// timeProcess runs bin with args in dir and returns its wall time; it fails
// the benchmark when the process fails.
func timeProcess(b *testing.B, dir string, env []string, bin string, args ...string) time.Duration {
	b.Helper()
	c := exec.CommandContext(b.Context(), bin, args...)
	c.Dir, c.Env = dir, env
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	start := time.Now()
	err := c.Run()
	took := time.Since(start)
	if err != nil {
		b.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out.String())
	}
	return took
}

// installAct returns act's CLI at actVersion, installing it with go install
// into the user cache directory the first time.
func installAct(ctx context.Context) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding a cache directory for act: %w", err)
	}
	gobin := filepath.Join(cache, "anvil-bench", "act@"+actVersion)
	bin := filepath.Join(gobin, "act")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("finding go to install act: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, goCmd, "install", "github.com/nektos/act@"+actVersion)
	c.Env = append(os.Environ(), "GOBIN="+gobin)
	if out, err := c.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install github.com/nektos/act@%s (needs the Go module proxy): %w\n%s", actVersion, err, out)
	}
	return bin, nil
}

// benchRepo copies testdata/bench, the 3-step job of the engine's
// benchmark, into a new git repository with one commit on main.
func benchRepo(b *testing.B) string {
	b.Helper()
	return testkit.GitRepo(b, filepath.Join("..", "testdata", "bench"))
}
