package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/audit"
	"codeberg.org/anvil-ci/anvil/pipeline/policy"
)

// governedWorkflow deploys from main, which the test's Gitea does not
// protect (the shipped deploy policy denies that), and builds on a runner
// without the self-hosted label (the shipped labels policy warns).
const governedWorkflow = `name: governed
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - name: before
        run: echo "deploy step ran"
      - name: apply
        run: anvil action terraform-apply --bundle plan.tgz
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "build step ran"
`

// TestGiteaPolicy runs anvil daemon with the shipped deploy and labels
// policies and an audit log against a real Gitea: the denied job fails
// with the rule, its message and the value in the forge's job log, and
// none of its steps ran; the warned job runs with the warning in its log;
// the audit log has a record of each, with the pushed commit.
func TestGiteaPolicy(t *testing.T) {
	t.Parallel()
	f := newGitea(t)
	ctx, cancel := context.WithTimeout(t.Context(), suiteTimeout)
	defer cancel()

	dir := t.TempDir()
	for _, name := range []string{"deploy.yaml", "labels.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "policies", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	auditLog := filepath.Join(t.TempDir(), "audit.log")
	startRunner(ctx, t, f, "policy:\n  file: "+dir+"\naudit:\n  file: "+auditLog+"\n")

	sha, err := f.Push(ctx, "main", map[string]string{workflowDir + "governed.yml": governedWorkflow})
	if err != nil {
		t.Fatal(err)
	}
	checkRun(ctx, t, f, scenario{
		name: "governed", workflow: "governed.yml", event: onPush,
		jobs: []wantJob{
			{name: "deploy", conclusion: "failure",
				log: []string{
					`policy rule "deploy-protected-refs" denies this job: the deploy actions run only on a protected ref and for push or workflow_dispatch; protect the branch or deploy from one that is (value: "apply (push on refs/heads/main)")`,
					"the policy denied this job (see above), so none of its steps ran",
				},
				notLog: []string{"deploy step ran", "terraform-apply --bundle"}},
			{name: "build", conclusion: "success",
				log: []string{
					`policy rule "labels-required" warns: runs-on must include every required label (self-hosted as shipped) (value: "self-hosted")`,
					"build step ran",
				}},
		},
	}, strings.NewReplacer())

	recs, partial, err := audit.ReadFile(auditLog)
	if err != nil || partial || len(recs) != 2 {
		t.Fatalf("audit log: %d records, partial %v, %v; want 2", len(recs), partial, err)
	}
	for _, r := range recs {
		want := map[string]string{"deploy": "failure", "build": "success"}[r.Job]
		if r.Result != want || r.SHA != sha || r.Ref != "refs/heads/main" || r.Event != "push" || r.TaskID == 0 ||
			!strings.HasSuffix(r.Repository, "/e2e") || len(r.Decisions) != 2 || r.Workflow != "governed.yml" {
			t.Errorf("audit record of %s: %+v", r.Job, r)
		}
		if r.Job == "deploy" && r.Decisions[0].Outcome != policy.OutcomeDeny {
			t.Errorf("audit record of deploy: decisions %+v", r.Decisions)
		}
	}
}
