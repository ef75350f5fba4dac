package actions_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/actions/gitops/gitopstest"
	"codeberg.org/anvil-ci/anvil/actions/internal/actiontest"
	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/resolve/gittest"
)

func TestMain(m *testing.M) { os.Exit(actiontest.Main(m)) }

// kustomization is the config repository's file the remote action edits.
const kustomization = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
images:
  - name: ghcr.io/acme/web
    newTag: 1.0.0 # set by CI
`

// TestRemoteActions runs the shipped gitops-promote action the way other
// repositories use it: as uses: anvil-ci/anvil/actions/gitops-promote@v1
// from a forge that mirrors Anvil (a git server on loopback holding this
// checkout's actions/*/action.yml at tag v1), through anvil exec
// --default-actions-url. The repository that runs the workflow has no
// actions/ directory of its own, so the action can only come from there.
func TestRemoteActions(t *testing.T) {
	t.Parallel()
	forge := gittest.NewServer(t, gittest.Options{})
	anvil := forge.NewRepo(t, "anvil-ci/anvil", false)
	anvil.Commit(t, "main", shippedActions(t), "the shipped actions")
	release := anvil.Tag(t, "v1", "main")

	config := gitopstest.NewTest(t, gitopstest.Options{})
	target := config.MustRepo(t, "acme/config", map[string]string{"apps/web/kustomization.yaml": kustomization})

	dir := actiontest.NewRepo(t, actiontest.Repo{Workflows: map[string]string{"deploy.yml": `on: push
jobs:
  promote:
    runs-on: ubuntu-latest
    outputs:
      commit: ${{ steps.web.outputs.commit }}
      changed: ${{ steps.web.outputs.changed }}
      previous: ${{ steps.web.outputs.previous }}
      value: ${{ steps.web.outputs.value }}
      attempts: ${{ steps.web.outputs.attempts }}
    steps:
      - id: web
        uses: anvil-ci/anvil/actions/gitops-promote@v1
        with:
          repository: ${{ vars.CONFIG_REPO }}
          token: ${{ secrets.GIT_TOKEN }}
          file: apps/web/kustomization.yaml
          image: ghcr.io/acme/web
          value: 1.2.3
          author-name: ci-bot
          author-email: ci-bot@example.invalid
`}})
	r := actiontest.Run(t, actiontest.Config{Repo: dir, Args: []string{
		"--default-actions-url", forge.URL,
		"--action-cache", t.TempDir(),
		"--var", "CONFIG_REPO=" + target.URL(),
		"-s", "GIT_TOKEN=" + config.Token,
	}})
	if r.ExitCode != 0 {
		t.Fatalf("anvil exec failed:\n%s", r)
	}
	job, ok := r.Job("promote")
	if !ok || job.Result != executor.ResultSuccess {
		t.Fatalf("job promote = %+v, want success\n%s", job, r)
	}
	head := target.MustHead(t)
	want := map[string]string{"commit": head, "changed": "true", "previous": "1.0.0", "value": "1.2.3", "attempts": "1"}
	for k, v := range want {
		if job.Outputs[k] != v {
			t.Errorf("output %s = %q, want %q (outputs %v)", k, job.Outputs[k], v, job.Outputs)
		}
	}
	if got := target.MustFile(t, "apps/web/kustomization.yaml"); !strings.Contains(got, "newTag: 1.2.3 # set by CI") {
		t.Errorf("the config repository's kustomization.yaml was not promoted:\n%s", got)
	}
	if !strings.Contains(r.Stderr, "fetched anvil-ci/anvil@v1 (commit "+release[:7]) || !strings.Contains(r.Stderr, forge.URL+"/anvil-ci/anvil") {
		t.Errorf("anvil did not report fetching the action at v1 (%s) from %s:\n%s", release, forge.URL, r.Stderr)
	}
	if st := forge.Stats("anvil-ci/anvil"); st.Fetches == 0 {
		t.Errorf("the forge served no fetch of anvil-ci/anvil: %+v", st)
	}
	if strings.Contains(r.Stdout, config.Token) {
		t.Errorf("the token shows in anvil's output:\n%s", r)
	}
}

// shippedActions returns every actions/*/action.yml of this checkout, by
// repository-relative path.
func shippedActions(t *testing.T) map[string]string {
	t.Helper()
	root := actiontest.ModuleRoot(t)
	paths, err := filepath.Glob(filepath.Join(root, "actions", "*", "action.yml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no actions/*/action.yml under %s (%v)", root, err)
	}
	files := map[string]string{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.ToSlash(rel)] = string(data)
	}
	return files
}
