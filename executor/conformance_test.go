package executor_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/docker"
	"codeberg.org/anvil-ci/anvil/executor/docker/dockertest"
	"codeberg.org/anvil-ci/anvil/internal/testkit/golden"
)

// scenario is one directory of testdata/scenarios.
type scenario struct {
	name, dir string
	cfg       scenarioConfig
}

// loadScenarios reads every scenario with its scenario.json.
func loadScenarios(t *testing.T) []scenario {
	t.Helper()
	root := filepath.Join("..", "testdata", "scenarios")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var out []scenario
	for _, ent := range entries {
		if !ent.IsDir() {
			continue
		}
		sc := scenario{name: ent.Name(), dir: filepath.Join(root, ent.Name())}
		data, err := os.ReadFile(filepath.Join(sc.dir, "scenario.json"))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if len(data) > 0 {
			if err := json.Unmarshal(data, &sc.cfg); err != nil {
				t.Fatalf("%s/scenario.json: %v", sc.name, err)
			}
		}
		out = append(out, sc)
	}
	return out
}

// Workspace paths of the two backends, which normalize to $WORKSPACE.
var (
	hostWorkspace   = regexp.MustCompile(`\$WORK/[A-Za-z0-9_.-]+-N/work/scenario/scenario`)
	dockerWorkspace = regexp.MustCompile(`/workspace/anvil/scenario\b`)
)

// normalize makes transcripts of both backends comparable: the workspace
// is $WORKSPACE wherever it is.
func normalize(transcript string) string {
	s := hostWorkspace.ReplaceAllString(transcript, "$$WORKSPACE")
	return dockerWorkspace.ReplaceAllString(s, "$$WORKSPACE")
}

// TestConformance runs the scenarios of testdata/scenarios on the host
// backend and on the Docker backend (every job in the test image) and
// checks that both give the golden transcript: the same results, outputs
// and logs, with the workspace path normalized. Scenarios that need
// containers (services, docker actions, job containers) run on Docker
// only; their golden transcripts come from it. After each Docker
// scenario, no container, network or volume of it may be left.
func TestConformance(t *testing.T) {
	t.Parallel()
	scenarios := loadScenarios(t)
	for _, backend := range []string{"host", "docker"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			var cli docker.Client
			if backend == "docker" {
				cli = dockertest.Client(t)
			}
			for _, sc := range scenarios {
				if !sc.cfg.runsOn(backend) {
					continue
				}
				t.Run(sc.name, func(t *testing.T) {
					t.Parallel()
					backends := hostBackends
					if backend == "docker" {
						b := docker.New(cli, docker.Config{Grace: 2 * time.Second, Labels: dockertest.Labels(t, cli), HealthTimeout: time.Minute})
						backends = func([]string) (executor.Backend, executor.JobSpecHints, error) {
							return b, executor.JobSpecHints{Image: dockertest.Image}, nil
						}
					} else {
						for _, p := range sc.cfg.Needs {
							if _, err := exec.LookPath(p); err != nil {
								t.Skipf("scenario needs %s on PATH, which this machine lacks", p)
							}
						}
					}
					checkScenario(t, sc, backend, backends)
				})
			}
		})
	}
}

// checkScenario runs sc on backends and compares the result and the
// normalized transcript with the golden ones. Only a scenario that runs
// on this backend alone may rewrite its golden file (-update).
func checkScenario(t *testing.T, sc scenario, backend string, backends executor.BackendFor) {
	t.Helper()
	got, res := runScenarioOn(t, filepath.Join(sc.dir, "repo"), sc.cfg, backends)
	want := sc.cfg.Result
	if want == "" {
		want = "success"
	}
	if string(res.Result) != want {
		t.Errorf("Run result on %s = %s, want %s\n%s", backend, res.Result, want, got)
	}
	file := filepath.Join(sc.dir, "transcript.golden")
	if golden.Updating() && len(sc.cfg.Backends) == 1 && sc.cfg.Backends[0] == backend {
		golden.Check(t, file, []byte(got))
		return
	}
	wantText, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("reading golden file (run go test ./executor -run 'TestScenarios|TestConformance' -update): %v", err)
	}
	if diff := cmp.Diff(normalize(got), normalize(string(wantText))); diff != "" {
		t.Errorf("transcript on %s differs from the golden one (-got +want):\n%s", backend, diff)
	}
	for _, s := range sc.cfg.Secrets {
		for _, l := range strings.Split(s, "\n") {
			if strings.TrimSpace(l) != "" && strings.Contains(got, l) {
				t.Errorf("secret line %q appears in the transcript", l)
			}
		}
	}
}
