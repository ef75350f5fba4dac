package argocd_test

import (
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/argocd"
	"codeberg.org/anvil-ci/anvil/actions/argocd/argocdtest"
	"codeberg.org/anvil-ci/anvil/actions/gitops/gitopstest"
)

// manifests is the web application in the config repository.
var manifests = map[string]string{
	"apps/web/kustomization.yaml": "resources:\n- deployment.yaml\n- service.yaml\nimages:\n- name: ghcr.io/acme/web\n  newTag: 1.0.0\n",
	"apps/web/deployment.yaml":    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: ghcr.io/acme/web\n",
	"apps/web/service.yaml":       "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n",
}

// env is an Argo CD test server with the web application following a
// config repository, and a client with a token.
type env struct {
	srv    *argocdtest.Server
	repo   *gitopstest.Repo
	client *argocd.Client
	token  string
	web    argocd.AppRef
}

func newEnv(t *testing.T, app argocdtest.AppConfig) *env {
	t.Helper()
	git := gitopstest.NewTest(t, gitopstest.Options{})
	repo := git.MustRepo(t, "acme/config", manifests)
	srv := argocdtest.NewTest(t, argocdtest.Config{
		Users:           map[string]string{"ci": "pa55word"},
		Tick:            10 * time.Millisecond,
		RefreshInterval: 100 * time.Millisecond,
		PickupDelay:     30 * time.Millisecond,
		SyncDuration:    100 * time.Millisecond,
		ReconcileDelay:  50 * time.Millisecond,
		HealthDelay:     200 * time.Millisecond,
		HealthReads:     1,
	})
	app.Name, app.RepoDir, app.Path, app.TargetRevision = "web", repo.Dir, "apps/web", "main"
	if err := srv.AddApp(t.Context(), app); err != nil {
		t.Fatal(err)
	}
	tok := srv.Token(0)
	c, err := argocd.NewClient(argocd.ClientConfig{Server: srv.URL(), Token: tok})
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, repo: repo, client: c, token: tok, web: argocd.AppRef{Name: "web"}}
}

// promote commits a new image tag to the config repository.
func (e *env) promote(t *testing.T, tag string) string {
	t.Helper()
	return e.repo.MustCommit(t, map[string]string{"apps/web/kustomization.yaml": strings.Replace(manifests["apps/web/kustomization.yaml"], "1.0.0", tag, 1)}, "promote "+tag)
}

const fast = 40 * time.Millisecond
