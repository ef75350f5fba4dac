package argocd_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/argocd"
	"codeberg.org/anvil-ci/anvil/actions/argocd/argocdtest"
	"codeberg.org/anvil-ci/anvil/actions/gitops/gitopstest"
	"codeberg.org/anvil-ci/anvil/actions/internal/actiontest"
	"codeberg.org/anvil-ci/anvil/executor"
)

func TestMain(m *testing.M) { os.Exit(actiontest.Main(m)) }

// scenarioEnv is an Argo CD test server following a config repository
// served over HTTP, for workflows run through anvil exec.
type scenarioEnv struct {
	*env
	git *gitopstest.Server
}

func newScenarioEnv(t *testing.T, app argocdtest.AppConfig) *scenarioEnv {
	t.Helper()
	git := gitopstest.NewTest(t, gitopstest.Options{})
	repo := git.MustRepo(t, "acme/config", manifests)
	srv := argocdtest.NewTest(t, argocdtest.Config{
		Users:           map[string]string{"ci": "pa55word-7c1e"},
		Tick:            10 * time.Millisecond,
		RefreshInterval: 200 * time.Millisecond,
		PickupDelay:     50 * time.Millisecond,
		SyncDuration:    200 * time.Millisecond,
		ReconcileDelay:  100 * time.Millisecond,
		HealthDelay:     400 * time.Millisecond,
	})
	app.Name, app.RepoDir, app.RepoURL, app.Path, app.TargetRevision = "web", repo.Dir, repo.URL(), "apps/web", "main"
	if err := srv.AddApp(t.Context(), app); err != nil {
		t.Fatal(err)
	}
	return &scenarioEnv{env: &env{srv: srv, repo: repo, token: srv.Token(0), web: argocd.AppRef{Name: "web"}}, git: git}
}

func TestScenarios(t *testing.T) {
	t.Parallel()
	const never = "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name     string
		workflow string
		app      argocdtest.AppConfig
		// prepare changes the server before the run and returns more
		// anvil exec arguments.
		prepare func(t *testing.T, e *scenarioEnv) []string
		// onLine, when set, runs once on the first log line containing
		// onLineText.
		onLineText string
		onLine     func(e *scenarioEnv)
		wantExit   int
		wantLog    []string
		// within bounds the run's duration.
		within time.Duration
		check  func(t *testing.T, e *scenarioEnv, r *actiontest.Result)
	}{
		{
			name:     "sync then wait",
			workflow: "sync",
			prepare: func(t *testing.T, e *scenarioEnv) []string {
				e.promote(t, "1.1.0")
				return nil
			},
			wantLog: []string{"sync: phase=Succeeded sync=Synced revision=", "wait: sync=Synced health=Healthy revision=", "web: sync requested (prune, 2 retries)"},
			check: func(t *testing.T, e *scenarioEnv, r *actiontest.Result) {
				head := e.repo.MustHead(t)
				if !strings.Contains(r.Log("deploy"), "revision="+head) {
					t.Errorf("the synced revision is not the head %s:\n%s", head, r.Log("deploy"))
				}
				for _, want := range []string{"✅ Argo CD sync `web`", "| Operation | Succeeded |", "✅ Argo CD wait `web`", "| Health | Healthy |"} {
					if !strings.Contains(r.Summaries("deploy"), want) {
						t.Errorf("the summaries lack %q:\n%s", want, r.Summaries("deploy"))
					}
				}
			},
		},
		{
			name:     "username and password, dry run",
			workflow: "sync-login",
			prepare: func(t *testing.T, e *scenarioEnv) []string {
				e.promote(t, "1.1.0")
				return nil
			},
			wantLog: []string{"dry run: phase=Succeeded sync=OutOfSync message=successfully synced (dry run)"},
			check: func(t *testing.T, e *scenarioEnv, r *actiontest.Result) {
				if strings.Contains(r.Stdout, "pa55word-7c1e") {
					t.Errorf("the password shows:\n%s", r)
				}
				reqs := e.srv.SyncRequests("web")
				if len(reqs) != 1 || !reqs[0].DryRun || len(reqs[0].Resources) != 1 {
					t.Errorf("sync requests = %+v, want one dry run of one resource", reqs)
				}
			},
		},
		{
			name:     "another operation in progress: wait and retry",
			workflow: "sync",
			prepare: func(t *testing.T, e *scenarioEnv) []string {
				if err := e.srv.Hold(t.Context(), "web", time.Minute); err != nil {
					t.Fatal(err)
				}
				return nil
			},
			// The other operation ends once the action has been refused.
			onLineText: "another operation is already in progress",
			onLine: func(e *scenarioEnv) {
				time.AfterFunc(500*time.Millisecond, func() { _ = e.srv.EndHold("web") })
			},
			wantLog: []string{`"another operation is already in progress"; waiting for that operation to end`, "operation Running (by someone-else)", "sync: phase=Succeeded"},
			check: func(t *testing.T, e *scenarioEnv, r *actiontest.Result) {
				if n := len(e.srv.SyncRequests("web")); n != 2 {
					t.Errorf("the server got %d sync requests, want 2 (refused, then accepted)", n)
				}
			},
		},
		{
			name:     "promote then wait for the commit",
			workflow: "promote-wait",
			app:      argocdtest.AppConfig{Synced: true, AutoSync: true},
			prepare: func(t *testing.T, e *scenarioEnv) []string {
				return []string{"--var", "TAG=1.2.0"}
			},
			wantLog: []string{": Synced/Healthy", "health Progressing"},
			check: func(t *testing.T, e *scenarioEnv, r *actiontest.Result) {
				a, _ := e.srv.App("web")
				if a.Status.Sync.Revision != e.repo.MustHead(t) || a.Status.Summary.Images[0] != "ghcr.io/acme/web:1.2.0" {
					t.Errorf("Argo CD is at %s with %v, want the promotion %s with ghcr.io/acme/web:1.2.0", a.Status.Sync.Revision, a.Status.Summary.Images, e.repo.MustHead(t))
				}
			},
		},
		{
			name:     "a degraded application fails the wait early",
			workflow: "promote-wait",
			app:      argocdtest.AppConfig{Synced: true, AutoSync: true, Degraded: true},
			prepare: func(t *testing.T, e *scenarioEnv) []string {
				return []string{"--var", "TAG=6.6.6"}
			},
			wantExit: 1,
			wantLog:  []string{`web is Degraded at revision`, `"Deployment \"web\" exceeded its progress deadline"`},
			within:   40 * time.Second,
			check: func(t *testing.T, e *scenarioEnv, r *actiontest.Result) {
				if !strings.Contains(r.Summaries("deploy"), "❌ Argo CD wait `web`") {
					t.Errorf("the summary does not report the failure:\n%s", r.Summaries("deploy"))
				}
			},
		},
		{
			name:     "a token expiring during the wait is fatal",
			workflow: "wait",
			app:      argocdtest.AppConfig{Synced: true},
			prepare: func(t *testing.T, e *scenarioEnv) []string {
				return []string{"--var", "REVISION=" + never, "--var", "TIMEOUT=5m"}
			},
			onLineText: "web: sync Synced",
			onLine:     func(e *scenarioEnv) { e.srv.Expire(e.token) },
			wantExit:   1,
			wantLog:    []string{`argo cd answered 401 to GET /api/v1/applications/web: "invalid session: token has invalid claims: token is expired"`},
			within:     40 * time.Second,
		},
		{
			name:     "a revision that never comes times out",
			workflow: "wait",
			app:      argocdtest.AppConfig{Synced: true},
			prepare: func(t *testing.T, e *scenarioEnv) []string {
				return []string{"--var", "REVISION=" + never, "--var", "TIMEOUT=2s"}
			},
			wantExit: 1,
			wantLog:  []string{"timed out after 2s waiting for web to be at revision 0123456, Synced, Healthy; last state: sync Synced, health Healthy"},
			within:   40 * time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newScenarioEnv(t, tt.app)
			var extra []string
			if tt.prepare != nil {
				extra = tt.prepare(t, e)
			}
			workflow, err := os.ReadFile(filepath.Join("testdata", "scenarios", tt.workflow+".yml"))
			if err != nil {
				t.Fatal(err)
			}
			dir := actiontest.NewRepo(t, actiontest.Repo{
				Workflows: map[string]string{tt.workflow + ".yml": string(workflow)},
				Actions:   []string{"argocd-sync", "argocd-wait", "gitops-promote"},
			})
			cfg := actiontest.Config{
				Repo: dir,
				Args: append([]string{
					"--var", "ARGOCD_SERVER=" + e.srv.URL(), "--var", "ARGOCD_TOKEN=" + e.token, "-s", "ARGOCD_TOKEN=" + e.token,
					"--var", "ARGOCD_PASSWORD=pa55word-7c1e", "--var", "CONFIG_REPO=" + e.repo.URL(), "-s", "GIT_TOKEN=" + e.git.Token,
				}, extra...),
			}
			if tt.onLine != nil {
				var once sync.Once
				cfg.OnEvent = func(ev executor.Event) {
					if ev.Kind == executor.EventLog && strings.Contains(ev.Line, tt.onLineText) {
						once.Do(func() { tt.onLine(e) })
					}
				}
			}
			start := time.Now()
			r := actiontest.Run(t, cfg)
			took := time.Since(start)
			if r.ExitCode != tt.wantExit {
				t.Fatalf("anvil exec exited %d, want %d:\n%s", r.ExitCode, tt.wantExit, r)
			}
			log := r.Log("")
			for _, want := range tt.wantLog {
				if !strings.Contains(log, want) {
					t.Errorf("the log lacks %q:\n%s", want, log)
				}
			}
			if strings.Contains(r.Stdout, e.token) {
				t.Errorf("the Argo CD token shows in anvil's output:\n%s", r)
			}
			if tt.within > 0 && took > tt.within {
				t.Errorf("the run took %s, want at most %s", took, tt.within)
			}
			if tt.check != nil {
				tt.check(t, e, r)
			}
		})
	}
}
