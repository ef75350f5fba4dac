package argocdtest_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/argocd"
	"codeberg.org/anvil-ci/anvil/actions/argocd/argocdtest"
	"codeberg.org/anvil-ci/anvil/actions/gitops/gitopstest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// manifests is the web application in the config repository.
var manifests = map[string]string{
	"apps/web/kustomization.yaml": "resources:\n- deployment.yaml\n- service.yaml\nimages:\n- name: ghcr.io/acme/web\n  newTag: 1.0.0\n",
	"apps/web/deployment.yaml":    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: ghcr.io/acme/web\n",
	"apps/web/service.yaml":       "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n",
}

func fastConfig() argocdtest.Config {
	return argocdtest.Config{
		Users:           map[string]string{"admin": "s3cret"},
		Tick:            10 * time.Millisecond,
		RefreshInterval: 100 * time.Millisecond,
		PickupDelay:     30 * time.Millisecond,
		SyncDuration:    100 * time.Millisecond,
		ReconcileDelay:  50 * time.Millisecond,
		HealthDelay:     150 * time.Millisecond,
	}
}

type fixture struct {
	srv   *argocdtest.Server
	repo  *gitopstest.Repo
	token string
}

// setup starts a server (failing the test on schema violations) with the
// web application on a fresh config repository.
func setup(t *testing.T, app argocdtest.AppConfig) *fixture {
	t.Helper()
	git := gitopstest.NewTest(t, gitopstest.Options{})
	repo := git.MustRepo(t, "acme/config", manifests)
	srv := argocdtest.NewTest(t, fastConfig())
	app.Name, app.RepoDir, app.Path, app.TargetRevision = "web", repo.Dir, "apps/web", "main"
	if err := srv.AddApp(t.Context(), app); err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, repo: repo, token: srv.Token(0)}
}

// call sends a request and decodes the JSON answer.
func (f *fixture) call(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, f.srv.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if f.token != "" {
		req.Header.Set("Authorization", "Bearer "+f.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("%s %s answered %d with non-JSON %q", method, path, resp.StatusCode, data)
	}
	return resp.StatusCode, out
}

func (f *fixture) app(t *testing.T) argocd.Application {
	t.Helper()
	a, ok := f.srv.App("web")
	if !ok {
		t.Fatal("the web application is gone")
	}
	return a
}

func TestAuth(t *testing.T) {
	t.Parallel()
	f := setup(t, argocdtest.AppConfig{Synced: true})
	expired := f.srv.Token(time.Nanosecond)
	time.Sleep(time.Millisecond)
	tests := []struct {
		name       string
		token      string
		method     string
		path, body string
		wantStatus int
		wantMsg    string
	}{
		{"version needs no token", "", "GET", "/api/version", "", 200, ""},
		{"no token", "", "GET", "/api/v1/applications/web", "", 401, "no session information"},
		{"expired token", expired, "GET", "/api/v1/applications/web", "", 401, "invalid session: token has invalid claims: token is expired"},
		{"garbage token", "abc", "GET", "/api/v1/applications/web", "", 401, "invalid session: token signature is invalid"},
		{"wrong password", "", "POST", "/api/v1/session", `{"username":"admin","password":"nope"}`, 401, "Invalid username or password"},
		{"unknown user", "", "POST", "/api/v1/session", `{"username":"eve","password":"s3cret"}`, 401, "Invalid username or password"},
		{"valid token", f.token, "GET", "/api/v1/applications/web", "", 200, ""},
		{"unknown application", f.token, "GET", "/api/v1/applications/nope", "", 404, `applications.argoproj.io "nope" not found`},
		{"other namespace", f.token, "GET", "/api/v1/applications/web?appNamespace=team-a", "", 404, `applications.argoproj.io "web" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := *f
			c.token = tt.token
			status, body := c.call(t, tt.method, tt.path, tt.body)
			if status != tt.wantStatus || (tt.wantMsg != "" && body["message"] != tt.wantMsg) {
				t.Errorf("%s %s = %d %v, want %d %q", tt.method, tt.path, status, body, tt.wantStatus, tt.wantMsg)
			}
		})
	}
	status, body := f.call(t, "POST", "/api/v1/session", `{"username":"admin","password":"s3cret"}`)
	tok, _ := body["token"].(string)
	if status != 200 || tok == "" {
		t.Fatalf("login = %d %v, want a token", status, body)
	}
	c := *f
	c.token = tok
	if status, _ := c.call(t, "GET", "/api/v1/applications/web", ""); status != 200 {
		t.Errorf("GET with the session token = %d, want 200", status)
	}
	f.srv.Expire(tok)
	if status, _ := c.call(t, "GET", "/api/v1/applications/web", ""); status != 401 {
		t.Errorf("GET with the expired session token = %d, want 401", status)
	}
}

// TestControllerFollowsGit pushes a new image tag and syncs it by hand:
// the application goes OutOfSync, runs the operation, and ends Synced and
// Healthy at the new commit with the new image.
func TestControllerFollowsGit(t *testing.T) {
	t.Parallel()
	f := setup(t, argocdtest.AppConfig{Synced: true})
	first := f.repo.MustHead(t)
	a := f.app(t)
	if a.Status.Sync.Status != "Synced" || a.Status.Health.Status != "Healthy" || a.Status.Sync.Revision != first {
		t.Fatalf("a synced app starts %s/%s at %s, want Synced/Healthy at %s", a.Status.Sync.Status, a.Status.Health.Status, a.Status.Sync.Revision, first)
	}
	if got := a.Status.Summary.Images; len(got) != 1 || got[0] != "ghcr.io/acme/web:1.0.0" {
		t.Errorf("images = %v, want the kustomized ghcr.io/acme/web:1.0.0", got)
	}
	next := f.repo.MustCommit(t, map[string]string{"apps/web/kustomization.yaml": strings.Replace(manifests["apps/web/kustomization.yaml"], "1.0.0", "1.1.0", 1)}, "promote")
	status, body := f.call(t, "GET", "/api/v1/applications/web?refresh=normal", "")
	if status != 200 || body["status"].(map[string]any)["sync"].(map[string]any)["status"] != "OutOfSync" {
		t.Fatalf("after a push and a refresh: %d %v, want OutOfSync", status, body["status"])
	}
	status, body = f.call(t, "POST", "/api/v1/applications/web/sync", `{"name":"web","prune":true}`)
	if status != 200 || body["operation"] == nil {
		t.Fatalf("sync = %d %v, want the application with its operation", status, body)
	}
	if status, body := f.call(t, "POST", "/api/v1/applications/web/sync", `{"name":"web"}`); status != 400 || body["message"] != "another operation is already in progress" || body["code"] != float64(9) {
		t.Errorf("a second sync = %d %v, want 400 code 9 another operation is already in progress", status, body)
	}
	testkit.WaitFor(t, 5*time.Second, "the operation to run", func() bool {
		return f.app(t).Status.OperationState != nil && f.app(t).Status.OperationState.Phase == "Running"
	})
	testkit.WaitFor(t, 5*time.Second, "the operation to succeed", func() bool { return f.app(t).Operation == nil })
	a = f.app(t)
	st := a.Status.OperationState
	if st.Phase != "Succeeded" || st.SyncResult.Revision != next || st.FinishedAt == "" {
		t.Errorf("after the sync: %+v", st)
	}
	testkit.WaitFor(t, 5*time.Second, "Synced and Healthy", func() bool {
		a := f.app(t)
		return !argocd.InProgress(&a) && a.Status.Sync.Status == "Synced" && a.Status.Health.Status == "Healthy"
	})
	a = f.app(t)
	if a.Status.Sync.Revision != next || len(a.Status.History) != 2 || a.Status.Summary.Images[0] != "ghcr.io/acme/web:1.1.0" {
		t.Errorf("after the rollout: revision %s, history %d, images %v; want %s, 2, ghcr.io/acme/web:1.1.0", a.Status.Sync.Revision, len(a.Status.History), a.Status.Summary.Images, next)
	}
}

func TestAutoSync(t *testing.T) {
	t.Parallel()
	f := setup(t, argocdtest.AppConfig{Synced: true, AutoSync: true})
	next := f.repo.MustCommit(t, map[string]string{"apps/web/kustomization.yaml": strings.Replace(manifests["apps/web/kustomization.yaml"], "1.0.0", "2.0.0", 1)}, "promote")
	testkit.WaitFor(t, 5*time.Second, "the automated sync of the new commit", func() bool {
		a := f.app(t)
		return !argocd.InProgress(&a) && a.Status.Sync.Revision == next && a.Status.Sync.Status == "Synced"
	})
	a := f.app(t)
	if !a.Status.OperationState.Operation.InitiatedBy.Automated {
		t.Errorf("the sync was initiated by %+v, want automated", a.Status.OperationState.Operation.InitiatedBy)
	}
	status, body := f.call(t, "POST", "/api/v1/applications/web/sync", `{"name":"web","revision":"`+next+`"}`)
	if want := "Cannot sync to " + next + ": auto-sync currently set to main"; status != 400 || body["message"] != want {
		t.Errorf("sync to a revision on an auto-sync app = %d %v, want 400 %q", status, body, want)
	}
}

func TestSyncRefusals(t *testing.T) {
	t.Parallel()
	f := setup(t, argocdtest.AppConfig{Synced: true})
	if status, body := f.call(t, "POST", "/api/v1/applications/web/sync", `{"name":"web","revision":"no-such-branch"}`); status != 400 || !strings.Contains(body["message"].(string), "unable to resolve 'no-such-branch' to a commit SHA") {
		t.Errorf("sync to an unknown revision = %d %v", status, body)
	}
	if err := f.srv.SetSyncWindow("web", true); err != nil {
		t.Fatal(err)
	}
	if status, body := f.call(t, "POST", "/api/v1/applications/web/sync", `{"name":"web"}`); status != 403 || body["message"] != "cannot sync: blocked by sync window" {
		t.Errorf("sync in a closed window = %d %v", status, body)
	}
	if status, body := f.call(t, "DELETE", "/api/v1/applications/web/operation", ""); status != 400 || !strings.Contains(body["message"].(string), "No operation is in progress") {
		t.Errorf("terminate without an operation = %d %v", status, body)
	}
	f.srv.FailNext(1)
	if status, _ := f.call(t, "GET", "/api/v1/applications/web", ""); status != 503 {
		t.Errorf("an injected failure = %d, want 503", status)
	}
	if status, _ := f.call(t, "GET", "/api/v1/applications/web", ""); status != 200 {
		t.Errorf("after the injected failure = %d, want 200", status)
	}
}

func TestFailingSyncRetries(t *testing.T) {
	t.Parallel()
	f := setup(t, argocdtest.AppConfig{})
	if err := f.srv.FailSyncs("web", "one or more objects failed to apply, reason: admission webhook denied the request", -1); err != nil {
		t.Fatal(err)
	}
	status, _ := f.call(t, "POST", "/api/v1/applications/web/sync", `{"name":"web","retryStrategy":{"limit":2,"backoff":{"duration":"1s"}}}`)
	if status != 200 {
		t.Fatalf("sync = %d", status)
	}
	testkit.WaitFor(t, 5*time.Second, "a retry", func() bool {
		st := f.app(t).Status.OperationState
		return st != nil && strings.HasPrefix(st.Message, "Retrying attempt #1")
	})
	testkit.WaitFor(t, 5*time.Second, "the failure", func() bool { return f.app(t).Operation == nil })
	st := f.app(t).Status.OperationState
	if st.Phase != "Failed" || st.RetryCount != 2 || !strings.Contains(st.Message, "admission webhook denied the request") {
		t.Errorf("after the retries: phase %s, %d retries, %q", st.Phase, st.RetryCount, st.Message)
	}
}

func TestTerminate(t *testing.T) {
	t.Parallel()
	f := setup(t, argocdtest.AppConfig{})
	if err := f.srv.Hold(t.Context(), "web", time.Minute); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, 5*time.Second, "the held operation to run", func() bool { st := f.app(t).Status.OperationState; return st != nil && st.Phase == "Running" })
	if status, body := f.call(t, "DELETE", "/api/v1/applications/web/operation", ""); status != 200 || len(body) != 0 {
		t.Fatalf("terminate = %d %v, want 200 {}", status, body)
	}
	testkit.WaitFor(t, 5*time.Second, "the termination", func() bool { return f.app(t).Operation == nil })
	if st := f.app(t).Status.OperationState; st.Phase != "Failed" || st.Message != "Operation terminated" {
		t.Errorf("after terminating: %s %q", st.Phase, st.Message)
	}
}

// TestPruneDryRunResources syncs a commit that removes the Service and
// changes the Deployment, in steps.
func TestPruneDryRunResources(t *testing.T) {
	t.Parallel()
	f := setup(t, argocdtest.AppConfig{Synced: true})
	f.repo.MustCommit(t, map[string]string{
		"apps/web/service.yaml":       "",
		"apps/web/kustomization.yaml": "resources:\n- deployment.yaml\nimages:\n- name: ghcr.io/acme/web\n  newTag: 3.0.0\n",
	}, "drop the service")
	sync := func(body string) argocd.Application {
		t.Helper()
		if status, resp := f.call(t, "POST", "/api/v1/applications/web/sync", body); status != 200 {
			t.Fatalf("sync %s = %d %v", body, status, resp)
		}
		testkit.WaitFor(t, 5*time.Second, "the sync "+body, func() bool { a := f.app(t); return !argocd.InProgress(&a) })
		// Times have seconds only, so read once more after a refresh, as
		// the client does, to see the status after the operation.
		f.call(t, "GET", "/api/v1/applications/web?refresh=normal", "")
		return f.app(t)
	}
	a := sync(`{"name":"web","dryRun":true}`)
	if a.Status.Sync.Status != "OutOfSync" || a.Status.OperationState.Message != "successfully synced (dry run)" {
		t.Errorf("after a dry run: %s %q, want OutOfSync and a dry-run message", a.Status.Sync.Status, a.Status.OperationState.Message)
	}
	a = sync(`{"name":"web","resources":[{"group":"apps","kind":"Deployment","name":"web"}]}`)
	if len(a.Status.OperationState.SyncResult.Resources) != 1 || a.Status.Sync.Status != "OutOfSync" {
		t.Errorf("after syncing the Deployment only: %d results, %s; want 1 and OutOfSync (the Service waits for pruning)", len(a.Status.OperationState.SyncResult.Resources), a.Status.Sync.Status)
	}
	pruning := false
	for _, r := range a.Status.Resources {
		pruning = pruning || (r.Kind == "Service" && r.RequiresPruning)
	}
	if !pruning {
		t.Errorf("resources %+v, want the Service to require pruning", a.Status.Resources)
	}
	a = sync(`{"name":"web","prune":true}`)
	if a.Status.Sync.Status != "Synced" || len(a.Status.Resources) != 1 {
		t.Errorf("after a sync with prune: %s with %d resources, want Synced with 1", a.Status.Sync.Status, len(a.Status.Resources))
	}
}

func TestDegraded(t *testing.T) {
	t.Parallel()
	f := setup(t, argocdtest.AppConfig{Synced: true, Degraded: true})
	f.repo.MustCommit(t, map[string]string{"apps/web/kustomization.yaml": strings.Replace(manifests["apps/web/kustomization.yaml"], "1.0.0", "9.9.9", 1)}, "bad release")
	if status, _ := f.call(t, "POST", "/api/v1/applications/web/sync", `{"name":"web"}`); status != 200 {
		t.Fatal("sync refused")
	}
	testkit.WaitFor(t, 5*time.Second, "Progressing", func() bool { return f.app(t).Status.Health.Status == "Progressing" })
	testkit.WaitFor(t, 5*time.Second, "Degraded", func() bool { return f.app(t).Status.Health.Status == "Degraded" })
	if msg := f.app(t).Status.Health.Message; msg != `Deployment "web" exceeded its progress deadline` {
		t.Errorf("health message = %q", msg)
	}
}

// TestWatchStream reads the stream while a sync runs.
func TestWatchStream(t *testing.T) {
	t.Parallel()
	f := setup(t, argocdtest.AppConfig{})
	req, _ := http.NewRequestWithContext(t.Context(), "GET", f.srv.URL()+"/api/v1/stream/applications?name=web", nil)
	req.Header.Set("Authorization", "Bearer "+f.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := bufio.NewScanner(resp.Body)
	lines.Buffer(nil, 1<<20)
	next := func() argocd.WatchEvent {
		t.Helper()
		if !lines.Scan() {
			t.Fatalf("the stream ended: %v", lines.Err())
		}
		var r argocd.WatchResult
		if err := json.Unmarshal(lines.Bytes(), &r); err != nil || r.Result == nil {
			t.Fatalf("stream line %q: %v", lines.Text(), err)
		}
		return *r.Result
	}
	if e := next(); e.Type != "ADDED" || e.Application.Metadata.Name != "web" {
		t.Fatalf("first event %s %s, want ADDED web", e.Type, e.Application.Metadata.Name)
	}
	if status, _ := f.call(t, "POST", "/api/v1/applications/web/sync", `{"name":"web"}`); status != 200 {
		t.Fatal("sync refused")
	}
	for {
		e := next()
		if e.Type != "MODIFIED" {
			t.Fatalf("event %s, want MODIFIED", e.Type)
		}
		if e.Application.Status.Sync.Status == "Synced" && e.Application.Status.Health.Status == "Healthy" {
			return
		}
	}
}

// TestViolations checks that the server notices JSON and requests outside
// the swagger subset.
func TestViolations(t *testing.T) {
	t.Parallel()
	srv, err := argocdtest.Start(fastConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	git := gitopstest.NewTest(t, gitopstest.Options{})
	repo := git.MustRepo(t, "acme/config", manifests)
	if err := srv.AddApp(t.Context(), argocdtest.AppConfig{Name: "web", RepoDir: repo.Dir, Path: "apps/web"}); err != nil {
		t.Fatal(err)
	}
	f := &fixture{srv: srv, token: srv.Token(0)}
	if status, body := f.call(t, "POST", "/api/v1/applications/web/sync", `{"name":"web","force":true}`); status != 400 || !strings.Contains(body["message"].(string), "$.force: field not in the schema") {
		t.Errorf("a sync with an unknown field = %d %v, want 400 naming the field", status, body)
	}
	f.call(t, "GET", "/api/v1/applications/web?watch=true", "")
	f.call(t, "GET", "/api/v1/applications", "")
	want := []string{
		"POST /api/v1/applications/web/sync body: $.force: field not in the schema",
		`GET /api/v1/applications/web: query parameter "watch" is not in the swagger subset`,
		"GET /api/v1/applications: not in the swagger subset",
	}
	if got := srv.Violations(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Violations() = %q, want %q", got, want)
	}
}
