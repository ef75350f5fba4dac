package forgetest_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protojson"
	"gopkg.in/yaml.v3"

	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

// captureDir holds what a real Gitea 1.25.4 handed a runner
// (testdata/forge-tasks/README.md).
const captureDir = "../../testdata/forge-tasks/gitea-1.25.4"

// captureURL is the server URL the captures were normalised to.
const captureURL = "http://127.0.0.1:3000"

// capture is one captured FetchTask reply.
type capture struct {
	file    string
	task    *runnerv1.Task
	context map[string]any
}

// key identifies a task across the capture and the test forge: the run's
// event, ref and workflow, the job and its name (which holds the matrix).
func (c capture) key() string {
	return taskKey(c.context, c.task.GetWorkflowPayload())
}

func taskKey(ctx map[string]any, payload []byte) string {
	var wf struct {
		Jobs map[string]struct{ Name string }
	}
	_ = yaml.Unmarshal(payload, &wf) // a bad payload gives an empty name, and no match
	job, _ := ctx["job"].(string)
	return fmt.Sprintf("%s %s %s %s %q", ctx["event_name"], ctx["ref"], ctx["workflow"], job, wf.Jobs[job].Name)
}

// runKey identifies a run by its event, ref and workflow.
func runKey(ctx map[string]any) string {
	return fmt.Sprintf("%s %s %s", ctx["event_name"], ctx["ref"], ctx["workflow"])
}

func loadCaptures(t *testing.T) ([]capture, map[string]string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(captureDir, "tasks", "task-*.json"))
	if err != nil || len(files) != 18 {
		t.Fatalf("captured tasks: %d files (%v), want 18", len(files), err)
	}
	var caps []capture
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// The payload is stored as text, beside the proto's fields.
		var task runnerv1.Task
		var text struct {
			WorkflowPayloadText string
		}
		if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, &task); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := json.Unmarshal(data, &text); err != nil || text.WorkflowPayloadText == "" {
			t.Fatalf("%s: no workflowPayloadText (%v)", f, err)
		}
		task.WorkflowPayload = []byte(text.WorkflowPayloadText)
		caps = append(caps, capture{file: filepath.Base(f), task: &task, context: task.GetContext().AsMap()})
	}
	workflows := map[string]string{}
	paths, _ := filepath.Glob(filepath.Join(captureDir, "workflows", "*.yml"))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		workflows[filepath.Base(p)] = string(data)
	}
	return caps, workflows
}

// answer finishes a task as the capture's harness did: SUCCESS with
// outputs v and g (list: v=["a","b"]), gate-fail FAILURE.
func answer(t *testing.T, c client, task *runnerv1.Task) {
	t.Helper()
	job, _ := task.GetContext().AsMap()["job"].(string)
	result := runnerv1.Result_RESULT_SUCCESS
	outputs := map[string]string{"v": job + "-out", "g": "hello from " + job}
	switch job {
	case "list":
		outputs = map[string]string{"v": `["a","b"]`}
	case "gate-fail":
		result = runnerv1.Result_RESULT_FAILURE
	}
	c.update(t, &runnerv1.TaskState{Id: task.GetId(), Result: result}, outputs)
}

// drain fetches and answers tasks one at a time until there are none.
func drain(t *testing.T, c client) []*runnerv1.Task {
	t.Helper()
	var got []*runnerv1.Task
	for {
		task, _ := c.fetch(t, 0)
		if task == nil {
			return got
		}
		got = append(got, task)
		answer(t, c, task)
	}
}

// TestGiteaCapturedTasks has the forge create the runs a real Gitea
// 1.25.4 created for the captured workflows and events (push to main,
// workflow_dispatch with inputs, push of a feature branch, a pull request
// from it), answers each task as the capture's harness did, and compares
// every captured task with the one the forge handed out: payload byte for
// byte, needs, secrets and vars, and the context (keys, and values up to
// the server URL, tokens and run ids). The harness stopped after 18
// tasks, so the forge hands out more (the later jobs of the feature
// branch's runs); every captured one must be among them, once.
//
// Order: within a run the forge hands out jobs in the captured order.
// Across runs Gitea's order depends on timing (jobs are ordered by a
// timestamp in seconds, and needs are resolved by an asynchronous queue),
// so across runs only the order of the runs' creation is checked.
func TestGiteaCapturedTasks(t *testing.T) {
	t.Parallel()
	caps, workflows := loadCaptures(t)
	sha, _ := caps[0].context["sha"].(string)
	srv := forgetest.New(t, forgetest.WithDefaultActionsURL("self"))
	c, _ := runner(t, srv, "ubuntu-latest")
	repo := forgetest.RunSpec{
		Workflows: workflows, Sha: sha, Actor: "forgeadmin", Repository: "forgeadmin/ci-target",
		Secrets: map[string]string{"DEPLOY_KEY": "deploy-key-value"}, Vars: map[string]string{"DEPLOY_ENV": "staging"},
	}
	events := []struct {
		name   string
		change func(*forgetest.RunSpec)
		runs   []string // the workflows it triggers, in order
	}{
		{"push main", func(*forgetest.RunSpec) {}, []string{"containers.yml", "dynamic.yml", "matrix.yml", "needs.yml", "reusable.yml"}},
		{"dispatch", func(s *forgetest.RunSpec) {
			s.EventName, s.Workflow, s.Ref = "workflow_dispatch", "dispatch.yml", "main"
			s.Inputs = map[string]string{"target": "production", "dry": "false", "undeclared": "dropped"}
		}, []string{"dispatch.yml"}},
		{"push feature", func(s *forgetest.RunSpec) { s.Ref = "refs/heads/feature" }, []string{"containers.yml", "dynamic.yml", "matrix.yml", "needs.yml", "reusable.yml"}},
		{"pull request", func(s *forgetest.RunSpec) {
			s.EventName, s.PullRequest = "pull_request", forgetest.PullRequest{Number: 1, Head: "feature", Base: "main"}
		}, []string{"pr.yml"}},
	}
	var sent []*runnerv1.Task
	for _, ev := range events {
		spec := repo
		ev.change(&spec)
		runs := srv.AddRun(spec)
		var files []string
		for _, r := range runs {
			files = append(files, r.Workflow)
		}
		if diff := cmp.Diff(files, ev.runs); diff != "" {
			t.Errorf("%s: runs created (-got +want):\n%s", ev.name, diff)
		}
		sent = append(sent, drain(t, c)...)
		for _, r := range runs {
			if rec := srv.Run(r.ID); !rec.Status.Done() {
				t.Errorf("%s: run %d (%s) is %s after every task was answered", ev.name, r.ID, r.Workflow, rec.Status)
			}
		}
	}

	byKey := map[string][]*runnerv1.Task{}
	for _, task := range sent {
		k := taskKey(task.GetContext().AsMap(), task.GetWorkflowPayload())
		byKey[k] = append(byKey[k], task)
	}
	norm := strings.NewReplacer(srv.URL(), captureURL)
	for _, cp := range caps {
		got := byKey[cp.key()]
		if len(got) != 1 {
			t.Errorf("%s (%s): the forge sent %d such tasks, want 1", cp.file, cp.key(), len(got))
			continue
		}
		compareTask(t, cp, got[0], norm)
	}
	compareOrder(t, caps, sent)

	// needs.yml's after-default needs gate-fail, which failed, and has no
	// if: the server skips it and never sends it.
	for _, r := range srv.Runs() {
		if r.Workflow != "needs.yml" {
			continue
		}
		if j, ok := r.Job("after-default", nil); !ok || j.Status != forgetest.StatusSkipped || j.ID != 0 {
			t.Errorf("run %d: after-default = %+v, want skipped and never handed out", r.ID, j)
		}
		if r.Status != forgetest.StatusFailure {
			t.Errorf("run %d of needs.yml: status %s, want failure", r.ID, r.Status)
		}
	}
}

func compareTask(t *testing.T, cp capture, got *runnerv1.Task, norm *strings.Replacer) {
	t.Helper()
	if diff := cmp.Diff(string(got.GetWorkflowPayload()), string(cp.task.GetWorkflowPayload())); diff != "" {
		t.Errorf("%s: payload (-forge +gitea):\n%s", cp.file, diff)
	}
	if diff := cmp.Diff(needsOf(got), needsOf(cp.task)); diff != "" {
		t.Errorf("%s: needs (-forge +gitea):\n%s", cp.file, diff)
	}
	if diff := cmp.Diff(slices.Sorted(maps.Keys(got.GetSecrets())), slices.Sorted(maps.Keys(cp.task.GetSecrets()))); diff != "" {
		t.Errorf("%s: secret names (-forge +gitea):\n%s", cp.file, diff)
	}
	if tok := got.GetSecrets()["GITHUB_TOKEN"]; tok == "" || got.GetSecrets()["GITEA_TOKEN"] != tok || got.GetContext().AsMap()["token"] != tok {
		t.Errorf("%s: GITHUB_TOKEN, GITEA_TOKEN and context token differ or are empty", cp.file)
	}
	if diff := cmp.Diff(got.GetVars(), cp.task.GetVars()); diff != "" {
		t.Errorf("%s: vars (-forge +gitea):\n%s", cp.file, diff)
	}
	ctx := normalised(got.GetContext().AsMap(), norm).(map[string]any)
	want := cp.context
	if diff := cmp.Diff(slices.Sorted(maps.Keys(ctx)), slices.Sorted(maps.Keys(want))); diff != "" {
		t.Errorf("%s: context keys (-forge +gitea):\n%s", cp.file, diff)
	}
	// Tokens differ by nature and run ids by the order of run creation
	// across events; both must be set.
	for _, k := range []string{"token", "gitea_runtime_token", "run_id", "run_number"} {
		if s, _ := ctx[k].(string); s == "" {
			t.Errorf("%s: context[%s] is empty", cp.file, k)
		}
	}
	if ctx["run_id"] != ctx["run_number"] {
		t.Errorf("%s: context run_id %v, run_number %v; want the same", cp.file, ctx["run_id"], ctx["run_number"])
	}
	for k, w := range want {
		switch k {
		case "token", "gitea_runtime_token", "run_id", "run_number", "event":
			continue
		}
		if !cmp.Equal(ctx[k], w) {
			t.Errorf("%s: context[%s] = %#v, want %#v", cp.file, k, ctx[k], w)
		}
	}
	gotEvent, _ := ctx["event"].(map[string]any)
	wantEvent, _ := want["event"].(map[string]any)
	if diff := cmp.Diff(slices.Sorted(maps.Keys(gotEvent)), slices.Sorted(maps.Keys(wantEvent))); diff != "" {
		t.Errorf("%s: event keys (-forge +gitea):\n%s", cp.file, diff)
	}
	// The commits are the harness's; everything else the forge puts in
	// the event must be what Gitea put there.
	for _, k := range []string{"commits", "head_commit", "compare_url"} {
		delete(gotEvent, k)
	}
	for _, p := range notIn(gotEvent, wantEvent, "event") {
		t.Errorf("%s: %s", cp.file, p)
	}
}

// needsOf is a task's needs in a comparable form.
func needsOf(task *runnerv1.Task) map[string]string {
	out := map[string]string{}
	for id, n := range task.GetNeeds() {
		out[id] = fmt.Sprintf("%s %v", n.GetResult(), n.GetOutputs())
	}
	return out
}

// notIn lists the leaves of got that want lacks or has with another value.
func notIn(got, want any, path string) []string {
	switch g := got.(type) {
	case map[string]any:
		w, ok := want.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s is an object, Gitea sent %#v", path, want)}
		}
		var out []string
		for _, k := range slices.Sorted(maps.Keys(g)) {
			wv, ok := w[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s.%s: Gitea sent no such key", path, k))
				continue
			}
			out = append(out, notIn(g[k], wv, path+"."+k)...)
		}
		return out
	case []any:
		w, ok := want.([]any)
		if !ok || len(w) != len(g) {
			return []string{fmt.Sprintf("%s = %#v, Gitea sent %#v", path, got, want)}
		}
		var out []string
		for i := range g {
			out = append(out, notIn(g[i], w[i], fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	}
	if !cmp.Equal(got, want) {
		return []string{fmt.Sprintf("%s = %#v, Gitea sent %#v", path, got, want)}
	}
	return nil
}

// normalised replaces the forge's URL in every string.
func normalised(v any, norm *strings.Replacer) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalised(e, norm)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalised(e, norm)
		}
		return out
	case string:
		return norm.Replace(x)
	}
	return v
}

// compareOrder checks that within each run the forge sent the captured
// tasks in the captured order, and that runs started in the captured
// order.
func compareOrder(t *testing.T, caps []capture, sent []*runnerv1.Task) {
	t.Helper()
	captured := map[string]bool{}
	wantByRun, gotByRun := map[string][]string{}, map[string][]string{}
	var wantRuns, gotRuns []string
	for _, cp := range caps { // in the order Gitea sent them
		captured[cp.key()] = true
		rk := runKey(cp.context)
		if _, ok := wantByRun[rk]; !ok {
			wantRuns = append(wantRuns, rk)
		}
		wantByRun[rk] = append(wantByRun[rk], cp.key())
	}
	for _, task := range sent {
		ctx := task.GetContext().AsMap()
		k, rk := taskKey(ctx, task.GetWorkflowPayload()), runKey(ctx)
		if !captured[k] {
			continue
		}
		if _, ok := gotByRun[rk]; !ok {
			gotRuns = append(gotRuns, rk)
		}
		gotByRun[rk] = append(gotByRun[rk], k)
	}
	for rk, want := range wantByRun {
		if diff := cmp.Diff(gotByRun[rk], want); diff != "" {
			t.Errorf("run %s: order of its tasks (-forge +gitea):\n%s", rk, diff)
		}
	}
	// Gitea created the pull request's run while it was still creating
	// the feature branch's: compare the runs of each event on their own.
	byEvent := func(runs []string) map[string][]string {
		out := map[string][]string{}
		for _, r := range runs {
			ev := strings.Join(strings.Fields(r)[:2], " ")
			out[ev] = append(out[ev], r)
		}
		return out
	}
	if diff := cmp.Diff(byEvent(gotRuns), byEvent(wantRuns)); diff != "" {
		t.Errorf("order of runs per event (-forge +gitea):\n%s", diff)
	}
}
