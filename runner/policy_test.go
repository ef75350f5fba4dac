package runner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/audit"
	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/forge/forgetest"
	"codeberg.org/anvil-ci/anvil/pipeline/policy"
)

// governedWorkflow has a job that deploys from a script (denied by the
// shipped deploy policy on an unprotected ref) and one that runs on a
// runner pool without the required label (warned by the labels policy).
const governedWorkflow = `name: governed
on: push
jobs:
  deploy:
    runs-on: self-hosted
    steps:
      - name: mark
        run: touch "$MARKER"
      - name: apply
        run: anvil action terraform-apply --bundle plan.tgz
  build:
    runs-on: linux
    steps:
      - name: mark
        run: touch "$MARKER"
`

// TestPolicyDeniesAndWarns runs tasks under the shipped deploy and labels
// policies with an audit log: the denied job fails before its first step
// with the rule, its message and the value in the forge's log; the warned
// job runs with the warning in its log; both have an audit record.
func TestPolicyDeniesAndWarns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, f := range []string{"deploy.yaml", "labels.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "policies", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pol, err := policy.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	auditPath := filepath.Join(t.TempDir(), "audit.log")
	al, err := audit.Open(audit.Config{Path: auditPath})
	if err != nil {
		t.Fatal(err)
	}
	defer al.Close()
	markers := t.TempDir()
	srv := forgetest.New(t)
	deploy := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: governedWorkflow, JobID: "deploy", Secrets: map[string]string{"PASSWORD": "hunter2-very-secret"}})
	build := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: governedWorkflow, JobID: "build"})
	tr := newTestRunner(t, srv, func(c *Config) {
		c.Policy, c.Audit = pol, al
		c.Env = map[string]string{"MARKER": filepath.Join(markers, "${{ github.job }}")}
	})
	tr.start(t)

	d := waitLogClosed(t, srv, deploy)
	b := waitLogClosed(t, srv, build)
	checkReport(t, d)
	checkReport(t, b)
	denyLine := `policy rule "deploy-protected-refs" denies this job: the deploy actions run only on a protected ref and for push or workflow_dispatch; protect the branch or deploy from one that is (value: "apply (push on refs/heads/main)")`
	if d.Status != forgetest.StatusFailure || !strings.Contains(rowsText(d), denyLine) {
		t.Errorf("deploy: status %s, want failure with %q in the log:\n%s", d.Status, denyLine, rowsText(d))
	}
	for _, st := range d.LastState.GetSteps() {
		if st.GetResult() == runnerv1.Result_RESULT_SUCCESS || st.GetLogLength() > 0 {
			t.Errorf("deploy: step %d ran (result %s, %d log rows)", st.GetId(), st.GetResult(), st.GetLogLength())
		}
	}
	if _, err := os.Stat(filepath.Join(markers, "deploy")); err == nil {
		t.Error("deploy: a step ran although the policy denied the job")
	}
	warnLine := `policy rule "labels-required" warns: runs-on must include every required label (self-hosted as shipped) (value: "self-hosted")`
	if b.Status != forgetest.StatusSuccess || !strings.Contains(rowsText(b), warnLine) {
		t.Errorf("build: status %s, want success with %q in the log:\n%s", b.Status, warnLine, rowsText(b))
	}
	if _, err := os.Stat(filepath.Join(markers, "build")); err != nil {
		t.Errorf("build: its step did not run: %v", err)
	}

	recs, partial, err := audit.ReadFile(auditPath)
	if err != nil || partial || len(recs) != 2 {
		t.Fatalf("audit log: %d records, partial %v, %v; want 2", len(recs), partial, err)
	}
	byTask := map[int64]audit.Record{}
	for _, r := range recs {
		byTask[r.TaskID] = r
	}
	rd, rb := byTask[deploy], byTask[build]
	if rd.Result != "failure" || rd.Job != "deploy" || rd.Source != "daemon" || rd.Runner != "test-runner" ||
		rd.Repository == "" || rd.SHA == "" || rd.Ref != "refs/heads/main" || rd.Workflow == "" ||
		!slices.Equal(rd.Labels, []string{"self-hosted"}) || len(rd.Decisions) != 2 || rd.Decisions[0].Outcome != policy.OutcomeDeny {
		t.Errorf("audit record of deploy: %+v", rd)
	}
	if rb.Result != "success" || rb.Decisions[1].Outcome != policy.OutcomeWarn || rb.End.Before(rb.Start) {
		t.Errorf("audit record of build: %+v", rb)
	}
}

// fakeResolver resolves every reference to one commit and fetches nothing.
type fakeResolver struct{ sha string }

func (f fakeResolver) ResolveAction(context.Context, string) (string, error) {
	return "", errors.New("fakeResolver fetches nothing")
}

func (f fakeResolver) ResolveWorkflow(context.Context, string) (string, error) {
	return "", errors.New("fakeResolver fetches nothing")
}

func (f fakeResolver) Commit(context.Context, string) (string, error) { return f.sha, nil }

// TestPolicySeesResolvedCommits checks that the task's resolver gives the
// policy and the audit log the commit of an action's tag.
func TestPolicySeesResolvedCommits(t *testing.T) {
	t.Parallel()
	const sha = "89abcdef0123456789abcdef0123456789abcdef"
	pol, err := policy.Parse("p.yaml", []byte(`
rules:
  - name: commits
    expression: "job.uses.map(u, u.uses + ' is ' + u.sha)"
    message: every commit is reviewed first
`))
	if err != nil {
		t.Fatal(err)
	}
	auditPath := filepath.Join(t.TempDir(), "audit.log")
	al, err := audit.Open(audit.Config{Path: auditPath})
	if err != nil {
		t.Fatal(err)
	}
	defer al.Close()
	srv := forgetest.New(t)
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  a:\n    runs-on: self-hosted\n    steps:\n      - uses: acme/tool@v1\n"})
	tr := newTestRunner(t, srv, func(c *Config) {
		c.Policy, c.Audit = pol, al
		c.Actions = func(map[string]any, *logrus.Entry) (executor.ActionResolver, error) {
			return fakeResolver{sha: sha}, nil
		}
	})
	tr.start(t)
	rec := waitLogClosed(t, srv, id)
	if want := `(value: "acme/tool@v1 is ` + sha + `")`; rec.Status != forgetest.StatusFailure || !strings.Contains(rowsText(rec), want) {
		t.Errorf("status %s, want failure with %q in the log:\n%s", rec.Status, want, rowsText(rec))
	}
	recs, _, err := audit.ReadFile(auditPath)
	if err != nil || len(recs) != 1 || len(recs[0].Actions) != 1 || recs[0].Actions[0].SHA != sha {
		t.Errorf("audit records %+v (%v), want the action with its commit", recs, err)
	}
}
