package argocd_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/actions/internal/actiontest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
	"codeberg.org/anvil-ci/anvil/testdata/example-pipeline/servers"
)

// TestExamplePipeline runs testdata/example-pipeline through anvil exec:
// build, plan and apply with real Terraform, promote into the config
// repository, and wait until the Argo CD test server reports the commit
// Synced and Healthy.
func TestExamplePipeline(t *testing.T) {
	t.Parallel()
	terraform := testkit.Terraform(t)
	root := actiontest.ModuleRoot(t)
	example := filepath.Join(root, "testdata", "example-pipeline")
	env, err := servers.Start(t.Context(), example, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	repo := t.TempDir()
	if err := servers.PrepareRepo(root, example, repo); err != nil {
		t.Fatal(err)
	}
	r := actiontest.Run(t, actiontest.Config{Repo: repo, Args: append([]string{"push"}, env.Args(terraform)...)})
	if r.ExitCode != 0 {
		t.Fatalf("the example pipeline failed:\n%s", r)
	}
	for _, job := range []string{"build", "plan", "apply", "promote", "wait"} {
		if e, ok := r.Job(job); !ok || e.Result != "success" {
			t.Errorf("job %s: %+v, want success", job, e)
		}
	}
	sha, err := exec.Command("git", "-C", repo, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	tag := "1.0.0-" + string(sha[:12])
	if got := env.Config.MustFile(t, "apps/web/kustomization.yaml"); !strings.Contains(got, "newTag: "+tag+" # promoted by the deploy pipeline") {
		t.Errorf("the config repository was not promoted to %s:\n%s", tag, got)
	}
	head := env.Config.MustHead(t)
	if promote, _ := r.Job("promote"); promote.Outputs["commit"] != head {
		t.Errorf("promote's commit = %q, want the config repository's head %s", promote.Outputs["commit"], head)
	}
	app, _ := env.ArgoCD.App("web")
	if app.Status.Sync.Revision != head || app.Status.Sync.Status != "Synced" || app.Status.Health.Status != "Healthy" ||
		len(app.Status.Summary.Images) != 1 || app.Status.Summary.Images[0] != "ghcr.io/acme/web:"+tag {
		t.Errorf("Argo CD reports %s/%s at %s with %v; want Synced/Healthy at %s with ghcr.io/acme/web:%s",
			app.Status.Sync.Status, app.Status.Health.Status, app.Status.Sync.Revision, app.Status.Summary.Images, head, tag)
	}
	state, err := os.ReadFile(filepath.Join(env.Shared, "state", "terraform.tfstate"))
	if err != nil || !bytes.Contains(state, []byte("ghcr.io/acme/web:"+tag)) {
		t.Errorf("the Terraform state does not hold the release (%v):\n%s", err, state)
	}
	if !strings.Contains(r.Log("wait"), "web is Synced and Healthy at "+head) {
		t.Errorf("the wait job's log:\n%s", r.Log("wait"))
	}
	for _, secret := range []string{env.Token, env.Git.Token, servers.Passphrase} {
		if strings.Contains(r.Stdout, secret) {
			t.Errorf("a secret shows in anvil's output: %q", secret)
		}
	}
	if v := env.ArgoCD.Violations(); len(v) > 0 {
		t.Errorf("the Argo CD test server saw JSON outside the swagger subset:\n%s", strings.Join(v, "\n"))
	}
}
