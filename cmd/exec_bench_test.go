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

	"gopkg.in/yaml.v3"

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
//
// It also reports floor-ms and floor-ratio: the least any anvil exec of
// the job can take on this machine, measured in the same run. That is
// anvil's own start and exit (the wall time of "anvil version") plus the
// job's work done directly, with nothing of anvil's in between (jobFloor,
// reported alone as job-ms). libs-floor-ms and libs-floor-ratio put the
// start and exit of cmd/testdata/startref/libs in place of anvil's: a
// program that links only the libraries anvil exec uses and does the job
// with no work of its own, a lower bound for any exec built on them.
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
	libs := bins.Program(b, startRefLibs)
	scripts := benchScripts(b)
	var anvilTimes, actTimes, floorTimes, libsFloorTimes, jobTimes []time.Duration
	for b.Loop() {
		if len(anvilTimes)%2 == 0 {
			anvilTimes = append(anvilTimes, runAnvil())
			actTimes = append(actTimes, runAct())
		} else {
			actTimes = append(actTimes, runAct())
			anvilTimes = append(anvilTimes, runAnvil())
		}
		job := jobFloor(b, scripts)
		jobTimes = append(jobTimes, job)
		floorTimes = append(floorTimes, timeProcess(b, repo, env, anvil, "version")+job)
		libsFloorTimes = append(libsFloorTimes, timeProcess(b, repo, env, libs)+job)
	}
	anvilMS, actMS, floorMS := ms(medianOf(anvilTimes)), ms(medianOf(actTimes)), ms(medianOf(floorTimes))
	libsFloorMS := ms(medianOf(libsFloorTimes))
	b.ReportMetric(ms(medianOf(jobTimes)), "job-ms")
	b.ReportMetric(anvilMS, "anvil-ms/job")
	b.ReportMetric(actMS, "act-ms/job")
	b.ReportMetric(anvilMS/actMS, "ratio")
	b.ReportMetric(floorMS, "floor-ms")
	b.ReportMetric(floorMS/actMS, "floor-ratio")
	b.ReportMetric(libsFloorMS, "libs-floor-ms")
	b.ReportMetric(libsFloorMS/actMS, "libs-floor-ratio")
}

// benchScripts returns the run: scripts of the steps of testdata/bench's
// workflow, in order.
func benchScripts(b *testing.B) []string {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "bench", ".forgejo", "workflows", "three-steps.yml"))
	if err != nil {
		b.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Run string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		b.Fatalf("testdata/bench: %v", err)
	}
	var out []string
	for _, job := range wf.Jobs {
		for _, st := range job.Steps {
			out = append(out, st.Run)
		}
	}
	if len(out) == 0 {
		b.Fatal("testdata/bench has no run: steps")
	}
	return out
}

// jobFloor does directly, in the benchmark's process, the work that running
// scripts as a job's steps needs whatever runs them, and returns its wall
// time: the job's directories under the temporary directory (as anvil exec
// makes them: root, work/REPO/REPO, temp, tool_cache, files with
// event.json, bin), then for each step its five file-command files and its
// script, bash -e running it with GITHUB_OUTPUT and the others set, and
// their removal, then the directories' removal.
func jobFloor(b *testing.B, scripts []string) time.Duration {
	b.Helper()
	start := time.Now()
	top, err := os.MkdirTemp("", "anvil-floor-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(top) // after a failure; timed below otherwise
	root := filepath.Join(top, "job")
	files, temp := filepath.Join(root, "files"), filepath.Join(root, "temp")
	for _, d := range []string{filepath.Join(root, "work", "repo", "repo"), temp, filepath.Join(root, "tool_cache"), files, filepath.Join(root, "bin")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			b.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(files, "event.json"), []byte("{}"), 0o600); err != nil {
		b.Fatal(err)
	}
	for i, script := range scripts {
		env := os.Environ()
		var made []string
		for _, name := range []string{"GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STATE", "GITHUB_STEP_SUMMARY"} {
			p := filepath.Join(files, fmt.Sprintf("%s_%d", name, i))
			if err := os.WriteFile(p, nil, 0o600); err != nil {
				b.Fatal(err)
			}
			made = append(made, p)
			env = append(env, name+"="+p)
		}
		path := filepath.Join(temp, fmt.Sprintf("step-%d.sh", i))
		if err := os.WriteFile(path, []byte(script), 0o700); err != nil {
			b.Fatal(err)
		}
		made = append(made, path)
		c := exec.CommandContext(b.Context(), "bash", "-e", path)
		c.Env, c.Dir = env, root
		if out, err := c.CombinedOutput(); err != nil {
			b.Fatalf("step %d: %v\n%s", i+1, err, out)
		}
		for _, p := range made {
			if err := os.Remove(p); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := os.RemoveAll(top); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// The reference programs of the process benchmarks, measured in the same
// run as anvil: machines differ several-fold in what starting a process
// costs, so their figures say what any program could do on this one.
const (
	// startRefHello prints a line: the least any Go program takes.
	startRefHello = "codeberg.org/anvil-ci/anvil/cmd/testdata/startref/hello"
	// startRefLibs only links the libraries anvil exec uses.
	startRefLibs = "codeberg.org/anvil-ci/anvil/cmd/testdata/startref/libs"
)

// BenchmarkVersionProcess reports the median wall time of "anvil version",
// which is almost all process start-up. The target is at most 10 ms. Beside
// it, from the same run: hello-ms, the wall time of a Go program that
// prints a line, and libs-ms, that of one that only links the libraries
// anvil exec uses (cmd/testdata/startref), a lower bound for any binary
// that runs workflows with them.
func BenchmarkVersionProcess(b *testing.B) {
	anvil, hello, libs := bins.Anvil(b), bins.Program(b, startRefHello), bins.Program(b, startRefLibs)
	dir := b.TempDir()
	var took, helloTook, libsTook []time.Duration
	for b.Loop() {
		took = append(took, timeProcess(b, dir, os.Environ(), anvil, "version"))
		helloTook = append(helloTook, timeProcess(b, dir, os.Environ(), hello))
		libsTook = append(libsTook, timeProcess(b, dir, os.Environ(), libs))
	}
	b.ReportMetric(ms(medianOf(took)), "version-ms")
	b.ReportMetric(ms(medianOf(helloTook)), "hello-ms")
	b.ReportMetric(ms(medianOf(libsTook)), "libs-ms")
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
