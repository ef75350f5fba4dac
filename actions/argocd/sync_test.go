package argocd_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/argocd"
	"codeberg.org/anvil-ci/anvil/actions/argocd/argocdtest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

func TestSync(t *testing.T) {
	t.Parallel()
	const failure = "one or more objects failed to apply, reason: Deployment.apps \"web\" is invalid"
	tests := []struct {
		name    string
		app     argocdtest.AppConfig
		prepare func(t *testing.T, e *env)
		cfg     argocd.SyncConfig
		// wantErr is matched with errors.Is; wantText must be in the error.
		wantErr                          error
		wantText                         string
		wantPhase, wantSync, wantHealth  string
		wantRequests                     int
		wantLog                          string
		check                            func(t *testing.T, e *env, res *argocd.Result)
		wantRevisionIsHead, wantNoChange bool
	}{
		{
			name:               "sync to the branch head",
			prepare:            func(t *testing.T, e *env) { e.promote(t, "1.1.0") },
			wantPhase:          "Succeeded",
			wantSync:           "Synced",
			wantRequests:       1,
			wantRevisionIsHead: true,
		},
		{
			name:      "sync with health",
			prepare:   func(t *testing.T, e *env) { e.promote(t, "1.1.0") },
			cfg:       argocd.SyncConfig{Health: true},
			wantPhase: "Succeeded", wantSync: "Synced", wantHealth: "Healthy",
			wantRequests: 1, wantRevisionIsHead: true,
		},
		{
			name: "prune, resources, options and retries reach the server",
			cfg: argocd.SyncConfig{Prune: true, Retries: 3, RetryBackoff: time.Second, SyncOptions: []string{"CreateNamespace=true"},
				Resources: []argocd.SyncOperationResource{{Group: "apps", Kind: "Deployment", Name: "web"}}},
			wantPhase: "Succeeded", wantRequests: 1,
			check: func(t *testing.T, e *env, res *argocd.Result) {
				reqs := e.srv.SyncRequests("web")
				r := reqs[len(reqs)-1]
				if !r.Prune || r.RetryStrategy == nil || r.RetryStrategy.Limit != 3 || r.RetryStrategy.Backoff.Duration != "1s" ||
					len(r.Resources) != 1 || r.Resources[0].Kind != "Deployment" || r.SyncOptions == nil || r.SyncOptions.Items[0] != "CreateNamespace=true" {
					t.Errorf("the server got %+v", r)
				}
			},
		},
		{
			name:      "dry run changes nothing",
			prepare:   func(t *testing.T, e *env) { e.promote(t, "1.1.0") },
			cfg:       argocd.SyncConfig{DryRun: true, Health: true},
			wantPhase: "Succeeded", wantSync: "OutOfSync", wantRequests: 1,
		},
		{
			name: "another operation in progress: wait and retry",
			prepare: func(t *testing.T, e *env) {
				if err := e.srv.Hold(t.Context(), "web", 600*time.Millisecond); err != nil {
					t.Fatal(err)
				}
			},
			wantPhase: "Succeeded", wantRequests: 2,
			wantLog: `"another operation is already in progress"; waiting for that operation to end`,
		},
		{
			name: "another operation outlasts the timeout",
			prepare: func(t *testing.T, e *env) {
				if err := e.srv.Hold(t.Context(), "web", time.Minute); err != nil {
					t.Fatal(err)
				}
			},
			cfg:      argocd.SyncConfig{Timeout: 700 * time.Millisecond},
			wantErr:  argocd.ErrTimeout,
			wantText: "another operation on web is still in progress",
		},
		{
			name: "a failing sync quotes the server",
			prepare: func(t *testing.T, e *env) {
				if err := e.srv.FailSyncs("web", failure, -1); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: argocd.ErrFailed, wantText: "the sync of web ended Failed: " + strconv.Quote(failure),
			wantPhase: "Failed",
		},
		{
			name: "retries get past a flaky sync",
			prepare: func(t *testing.T, e *env) {
				if err := e.srv.FailSyncs("web", failure, 1); err != nil {
					t.Fatal(err)
				}
			},
			cfg:       argocd.SyncConfig{Retries: 2},
			wantPhase: "Succeeded",
			check: func(t *testing.T, e *env, res *argocd.Result) {
				if n := res.App.Status.OperationState.RetryCount; n != 1 {
					t.Errorf("retryCount = %d, want 1", n)
				}
			},
		},
		{
			name:    "a revision on an auto-sync app is refused",
			app:     argocdtest.AppConfig{AutoSync: true},
			cfg:     argocd.SyncConfig{Revision: "0123456789abcdef0123456789abcdef01234567"},
			wantErr: nil, wantText: `"Cannot sync to 0123456789abcdef0123456789abcdef01234567: auto-sync currently set to main"; the application syncs automatically`,
		},
		{
			name: "a closed sync window",
			prepare: func(t *testing.T, e *env) {
				if err := e.srv.SetSyncWindow("web", true); err != nil {
					t.Fatal(err)
				}
			},
			wantText: `argo cd answered 403 to POST /api/v1/applications/web/sync: "cannot sync: blocked by sync window"`,
		},
		{
			name:    "a degraded rollout fails the health wait",
			app:     argocdtest.AppConfig{Degraded: true},
			prepare: func(t *testing.T, e *env) { e.promote(t, "6.6.6") },
			cfg:     argocd.SyncConfig{Health: true},
			wantErr: argocd.ErrFailed, wantText: `web is Degraded at revision`,
			wantPhase: "Succeeded", wantHealth: "Degraded",
		},
		{
			name: "transient 503s are ridden out",
			prepare: func(t *testing.T, e *env) {
				e.srv.FailNext(2)
			},
			wantPhase: "Succeeded", wantRequests: 3,
			wantLog: "(retrying)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.app)
			if tt.prepare != nil {
				tt.prepare(t, e)
			}
			cfg := tt.cfg
			cfg.App, cfg.Interval = e.web, fast
			if cfg.Timeout == 0 {
				cfg.Timeout = 10 * time.Second
			}
			var log testkit.LockedBuffer
			res, err := argocd.Sync(t.Context(), e.client, cfg, &log)
			switch {
			case tt.wantText == "" && err != nil:
				t.Fatalf("Sync: %v\n%s", err, log.String())
			case tt.wantText != "" && (err == nil || !strings.Contains(err.Error(), tt.wantText)):
				t.Fatalf("Sync error = %v, want one containing %q\n%s", err, tt.wantText, log.String())
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("Sync error = %v, want errors.Is %v", err, tt.wantErr)
			}
			if strings.Contains(log.String(), e.token) || (err != nil && strings.Contains(err.Error(), e.token)) {
				t.Errorf("the log or error shows the token")
			}
			if tt.wantPhase != "" && res.Phase() != tt.wantPhase {
				t.Errorf("phase = %q, want %q\n%s", res.Phase(), tt.wantPhase, log.String())
			}
			if tt.wantSync != "" && res.SyncStatus() != tt.wantSync {
				t.Errorf("sync status = %q, want %q\n%s", res.SyncStatus(), tt.wantSync, log.String())
			}
			if tt.wantHealth != "" && res.HealthStatus() != tt.wantHealth {
				t.Errorf("health = %q, want %q\n%s", res.HealthStatus(), tt.wantHealth, log.String())
			}
			if tt.wantRequests != 0 && res.Requests != tt.wantRequests {
				t.Errorf("sent %d sync requests, want %d\n%s", res.Requests, tt.wantRequests, log.String())
			}
			if tt.wantRevisionIsHead && res.Revision != e.repo.MustHead(t) {
				t.Errorf("revision = %q, want the head %s", res.Revision, e.repo.MustHead(t))
			}
			if tt.wantLog != "" && !strings.Contains(log.String(), tt.wantLog) {
				t.Errorf("the log lacks %q:\n%s", tt.wantLog, log.String())
			}
			if tt.check != nil {
				tt.check(t, e, res)
			}
		})
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t, argocdtest.AppConfig{Synced: true})
	c, err := argocd.NewClient(argocd.ClientConfig{Server: e.srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Login(t.Context(), "ci", "wrong"); !errors.Is(err, argocd.ErrUnauthenticated) || !strings.Contains(err.Error(), `"Invalid username or password"`) {
		t.Errorf("Login with a wrong password: %v, want a 401 quoting the server", err)
	}
	tok, err := c.Login(t.Context(), "ci", "pa55word")
	if err != nil || tok == "" {
		t.Fatalf("Login: %q, %v", tok, err)
	}
	if _, err := c.Application(t.Context(), e.web, ""); err != nil {
		t.Errorf("reading with the session token: %v", err)
	}
	v, err := c.Version(t.Context())
	if err != nil || !strings.HasPrefix(v.Version, "v3.") {
		t.Errorf("Version = %+v, %v", v, err)
	}
}

func TestClientConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		server, want, wantErr string
	}{
		{"argocd.example.com", "https://argocd.example.com", ""},
		{"https://argocd.example.com/", "https://argocd.example.com", ""},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", ""},
		{"", "", "no Argo CD server"},
		{"ftp://x", "", "not an http(s) address"},
		{"https://admin:pw@argocd.example.com", "", "must not hold credentials"},
	}
	for _, tt := range tests {
		c, err := argocd.NewClient(argocd.ClientConfig{Server: tt.server})
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("NewClient(%q) error = %v, want %q", tt.server, err, tt.wantErr)
			}
		case err != nil || c.Server() != tt.want:
			t.Errorf("NewClient(%q) = %v, %v; want %s", tt.server, c, err, tt.want)
		}
	}
	for in, want := range map[string]string{"web": "web", "team-a/web": "team-a/web"} {
		if r, err := argocd.ParseAppRef(in); err != nil || r.String() != want {
			t.Errorf("ParseAppRef(%q) = %v, %v", in, r, err)
		}
	}
	for _, bad := range []string{"", "/web", "a/b/c", "team/"} {
		if _, err := argocd.ParseAppRef(bad); err == nil {
			t.Errorf("ParseAppRef(%q) succeeded", bad)
		}
	}
	for in, want := range map[string]argocd.SyncOperationResource{
		"apps:Deployment:web":      {Group: "apps", Kind: "Deployment", Name: "web"},
		":Service:shop/web":        {Kind: "Service", Namespace: "shop", Name: "web"},
		"batch:Job:migrate-schema": {Group: "batch", Kind: "Job", Name: "migrate-schema"},
	} {
		if r, err := argocd.ParseResource(in); err != nil || r != want || argocd.ResourceString(r) != in {
			t.Errorf("ParseResource(%q) = %+v, %v; want %+v", in, r, err, want)
		}
	}
	if _, err := argocd.ParseResource("Deployment/web"); err == nil {
		t.Error("ParseResource(Deployment/web) succeeded")
	}
}
