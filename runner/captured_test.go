package runner

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/executor/resolve"
	"codeberg.org/anvil-ci/anvil/executor/resolve/gittest"
	"codeberg.org/anvil-ci/anvil/forge/forgetest"
	"codeberg.org/anvil-ci/anvil/pipeline/runopt"
)

// The tests in this file run the tasks a real Gitea 1.25.4 handed out
// (testdata/forge-tasks/gitea-1.25.4) as they came, against the test
// forge, with the task's repository on a git HTTP server on loopback.

const capturedDir = "../testdata/forge-tasks/gitea-1.25.4"

// capturedServer is where the captured tasks' URLs pointed.
const capturedServer = "http://127.0.0.1:3000"

// capturedTask is one FetchTask reply in protojson form.
type capturedTask struct {
	ID                  string                  `json:"id"`
	WorkflowPayloadText string                  `json:"workflowPayloadText"`
	Context             map[string]any          `json:"context"`
	Secrets             map[string]string       `json:"secrets"`
	Vars                map[string]string       `json:"vars"`
	Needs               map[string]capturedNeed `json:"needs"`
}

type capturedNeed struct {
	Outputs map[string]string `json:"outputs"`
	Result  string            `json:"result"`
}

func loadCaptured(t *testing.T, n int) capturedTask {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(capturedDir, "tasks", fmt.Sprintf("task-%03d.json", n)))
	if err != nil {
		t.Fatal(err)
	}
	var ct capturedTask
	if err := json.Unmarshal(data, &ct); err != nil {
		t.Fatalf("task %03d: %v", n, err)
	}
	return ct
}

// taskRepo is the captured tasks' repository (forgeadmin/ci-target with
// the captured workflows under .gitea/workflows) on a git HTTP server
// that wants the job token even to read it, plus a second repository with
// a reusable workflow for remote calls.
type taskRepo struct {
	git *gittest.Server
	sha string
}

func newTaskRepo(t *testing.T) *taskRepo {
	t.Helper()
	git := gittest.NewServer(t, gittest.Options{Token: "job-token-for-git"})
	files := map[string]string{}
	entries, err := os.ReadDir(filepath.Join(capturedDir, "workflows"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(capturedDir, "workflows", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[".gitea/workflows/"+e.Name()] = string(data)
	}
	sha := git.NewRepo(t, "forgeadmin/ci-target", true).Commit(t, "main", files, "the captured workflows")
	git.NewRepo(t, "shared/lib", false).Commit(t, "main", map[string]string{".forgejo/workflows/lib.yml": libWorkflow}, "a reusable workflow")
	return &taskRepo{git: git, sha: sha}
}

// libWorkflow is a reusable workflow in another repository, with needs
// between its jobs.
const libWorkflow = `on:
  workflow_call:
    inputs:
      n: {type: number, default: 1}
    secrets:
      KEY: {required: true}
    outputs:
      sum: {value: "${{ jobs.second.outputs.sum }}"}
jobs:
  first:
    runs-on: ubuntu-latest
    outputs:
      v: ${{ steps.s.outputs.v }}
    steps:
      - id: s
        run: echo "v=$(( ${{ inputs.n }} + 1 ))" >> "$GITHUB_OUTPUT"
  second:
    needs: first
    runs-on: ubuntu-latest
    outputs:
      sum: ${{ steps.s.outputs.sum }}
    steps:
      - id: s
        run: echo "sum=${{ needs.first.outputs.v }}-${{ secrets.KEY != '' }}" >> "$GITHUB_OUTPUT"
`

// spec turns a captured task into what the test forge hands out: the
// payload, secrets, vars and needs as captured, and the context with its
// URLs, repository commit and token pointing at the loopback git server.
func (r *taskRepo) spec(ct capturedTask) forgetest.TaskSpec {
	ctx := maps.Clone(ct.Context)
	for k, v := range ctx {
		if s, ok := v.(string); ok && strings.HasPrefix(s, capturedServer) {
			ctx[k] = r.git.URL + strings.TrimPrefix(s, capturedServer)
		}
	}
	ctx["sha"] = r.sha
	ctx["token"] = r.git.Token
	spec := forgetest.TaskSpec{WorkflowYAML: ct.WorkflowPayloadText, Context: ctx, Secrets: ct.Secrets, Vars: ct.Vars}
	if len(ct.Needs) > 0 {
		spec.Needs = map[string]forgetest.Need{}
		for id, n := range ct.Needs {
			spec.Needs[id] = forgetest.Need{Outputs: n.Outputs, Result: runnerv1.Result(runnerv1.Result_value[n.Result])}
		}
	}
	return spec
}

// withTaskLabels runs ubuntu-latest jobs on the host, and resolves remote
// actions and reusable workflows as the daemon does: from the task's
// default actions URL, with the job token sent to the forge only.
func withTaskLabels(t *testing.T) func(*Config) {
	cache := t.TempDir()
	return func(c *Config) {
		c.Labels = []string{"ubuntu-latest:host"}
		c.Capacity = 3
		c.Actions = TaskActions(resolve.Config{CacheDir: cache})
	}
}

// capturedWant is what GitHub gives for the job of a captured task.
type capturedWant struct {
	result  runnerv1.Result
	rows    []string          // rows the log must hold
	outputs map[string]string // nil: not checked
	// docker names what the job needs beyond this test's host runner.
	docker string
}

// TestCapturedGiteaTasks runs all 18 tasks Gitea 1.25.4 handed out, each
// as it came (payload, context, secrets, vars, needs as captured, the
// needed jobs answered as testdata/forge-tasks/README.md says), and checks
// that each ends as GitHub would end that job, with no problem found in
// the payload failing any of them.
func TestCapturedGiteaTasks(t *testing.T) {
	t.Parallel()
	repo := newTaskRepo(t)
	containers := "the job container node:20-bookworm, the service postgres:16 and the actions actions/checkout@v4 and https://gitea.com/actions/setup-go@v5, which a test on loopback cannot fetch"
	wants := map[int]capturedWant{
		1:  {result: runnerv1.Result_RESULT_SUCCESS, docker: containers},
		2:  {result: runnerv1.Result_RESULT_SUCCESS, outputs: map[string]string{"v": `["a","b"]`}},
		3:  {result: runnerv1.Result_RESULT_SUCCESS, rows: []string{`1.22 {`, `"os": "ubuntu-latest"`, `} 0`}},
		4:  {result: runnerv1.Result_RESULT_SUCCESS, rows: []string{`1.24 {`, `"experimental": true`}},
		5:  {result: runnerv1.Result_RESULT_SUCCESS}, // the matrix the server could not expand: run once
		6:  {result: runnerv1.Result_RESULT_SUCCESS, outputs: map[string]string{"v": "x"}},
		7:  {result: runnerv1.Result_RESULT_SUCCESS, outputs: map[string]string{"greeting": "hello world true"}},
		8:  {result: runnerv1.Result_RESULT_SUCCESS, outputs: map[string]string{"v": "prep-out-" + repo.sha}},
		9:  {result: runnerv1.Result_RESULT_SUCCESS}, // answered with outputs v and g: greeting is empty
		10: {result: runnerv1.Result_RESULT_FAILURE},
		11: {result: runnerv1.Result_RESULT_SUCCESS, rows: []string{"build-out"}},
		12: {result: runnerv1.Result_RESULT_SUCCESS, rows: []string{"production false production"}},
		13: {result: runnerv1.Result_RESULT_SUCCESS, rows: []string{"build-out failure"}},
		14: {result: runnerv1.Result_RESULT_SUCCESS, docker: containers},
		15: {result: runnerv1.Result_RESULT_SUCCESS, rows: []string{"1 feature main"}},
		16: {result: runnerv1.Result_RESULT_SUCCESS, outputs: map[string]string{"v": `["a","b"]`}},
		17: {result: runnerv1.Result_RESULT_SUCCESS, rows: []string{`1.22 {`}},
		18: {result: runnerv1.Result_RESULT_SUCCESS, rows: []string{`1.24 {`}},
	}
	srv := forgetest.New(t)
	ids := map[int]int64{}
	for n := 1; n <= 18; n++ {
		ct := loadCaptured(t, n)
		// Whatever runs or not, no problem in what the forge accepted
		// may stop the job on a runner that allows the host volume of
		// containers.yml (/tmp/cache): with the default
		// container.valid_volumes, the Docker executor refuses it, and
		// checking reports that (pipeline/lint's TestContainerOptions).
		policy := runopt.Policy{ValidVolumes: []string{"/tmp/cache"}}
		wf := taskWorkflow(ct.Context["workflow"].(string), taskOf(t, ct), ct.Context["job"].(string), policy)
		for _, p := range wf.Problems {
			if p.IsError() {
				t.Errorf("task %03d: the payload's problem %q would fail the job", n, p)
			}
		}
		if wants[n].docker == "" {
			ids[n] = srv.AddTask(repo.spec(ct))
		}
	}
	tr := newTestRunner(t, srv, withTaskLabels(t))
	tr.start(t)
	for n := 1; n <= 18; n++ {
		t.Run(fmt.Sprintf("task-%03d", n), func(t *testing.T) {
			want := wants[n]
			if want.docker != "" {
				t.Skipf("running it needs %s", want.docker)
			}
			rec := waitLogClosed(t, srv, ids[n])
			checkReport(t, rec)
			text := rowsText(rec)
			if rec.ReportedResult != want.result {
				t.Errorf("result %s, want %s; rows:\n%s", rec.ReportedResult, want.result, text)
			}
			for _, row := range want.rows {
				if !strings.Contains(text, row) {
					t.Errorf("rows lack %q:\n%s", row, text)
				}
			}
			if strings.Contains(text, repo.git.Token) {
				t.Errorf("rows hold the job token")
			}
			if want.outputs != nil {
				if diff := cmp.Diff(rec.Outputs, want.outputs); diff != "" {
					t.Errorf("outputs (-got +want):\n%s", diff)
				}
			}
		})
	}
}

// TestCapturedGiteaChains runs the captured tasks of the needs and
// reusable workflows with each need answered by what the runner reported
// for the needed task, as the forge does: outputs of a called workflow
// reach a later task through needs.call.outputs.
func TestCapturedGiteaChains(t *testing.T) {
	t.Parallel()
	repo := newTaskRepo(t)
	srv := forgetest.New(t)
	add := func(n int, needs map[string]int64) int64 {
		spec := repo.spec(loadCaptured(t, n))
		spec.Needs = map[string]forgetest.Need{}
		for id, task := range needs {
			spec.Needs[id] = forgetest.Need{Task: task}
		}
		return srv.AddTask(spec)
	}
	prep := add(6, nil)
	build := add(8, map[string]int64{"prep": prep})
	gate := add(10, map[string]int64{"build": build})
	deploy := add(11, map[string]int64{"prep": prep, "build": build})
	always := add(13, map[string]int64{"build": build, "gate-fail": gate})
	call := add(7, nil)
	after := add(9, map[string]int64{"call": call})
	tr := newTestRunner(t, srv, withTaskLabels(t))
	tr.start(t)
	v := "x-" + repo.sha
	tests := []struct {
		name    string
		id      int64
		result  runnerv1.Result
		row     string
		outputs map[string]string
	}{
		{"prep", prep, runnerv1.Result_RESULT_SUCCESS, "", map[string]string{"v": "x"}},
		{"build", build, runnerv1.Result_RESULT_SUCCESS, "", map[string]string{"v": v}},
		{"gate-fail", gate, runnerv1.Result_RESULT_FAILURE, "", nil},
		{"deploy", deploy, runnerv1.Result_RESULT_SUCCESS, "\n" + v + "\n", nil},
		{"after-always", always, runnerv1.Result_RESULT_SUCCESS, "\n" + v + " failure\n", nil},
		{"call", call, runnerv1.Result_RESULT_SUCCESS, "", map[string]string{"greeting": "hello world true"}},
		{"after", after, runnerv1.Result_RESULT_SUCCESS, "\nhello world true\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := waitLogClosed(t, srv, tt.id)
			checkReport(t, rec)
			text := rowsText(rec)
			if rec.ReportedResult != tt.result || !strings.Contains(text, tt.row) {
				t.Errorf("result %s, want %s with a row %q; rows:\n%s", rec.ReportedResult, tt.result, tt.row, text)
			}
			if tt.outputs != nil {
				if diff := cmp.Diff(rec.Outputs, tt.outputs); diff != "" {
					t.Errorf("outputs (-got +want):\n%s", diff)
				}
			}
		})
	}
}

// taskOf is the protocol task of a captured one, for taskWorkflow.
func taskOf(t *testing.T, ct capturedTask) *runnerv1.Task {
	t.Helper()
	task := &runnerv1.Task{WorkflowPayload: []byte(ct.WorkflowPayloadText), Needs: map[string]*runnerv1.TaskNeed{}}
	for id, n := range ct.Needs {
		task.Needs[id] = &runnerv1.TaskNeed{Outputs: n.Outputs, Result: runnerv1.Result(runnerv1.Result_value[n.Result])}
	}
	return task
}
