package argocd_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/argocd"
	"codeberg.org/anvil-ci/anvil/actions/argocd/argocdtest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

func TestWait(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		app  argocdtest.AppConfig
		// prepare returns the revision to wait for ("" for none).
		prepare    func(t *testing.T, e *env) string
		cfg        argocd.WaitConfig
		token      func(e *env) string
		wantErr    error
		wantText   string
		wantSync   string
		wantHealth string
		// within bounds the wait's duration.
		within  time.Duration
		wantLog string
	}{
		{
			name:     "already there: returns at once",
			app:      argocdtest.AppConfig{Synced: true},
			cfg:      argocd.WaitConfig{Sync: true, Health: true},
			wantSync: "Synced", wantHealth: "Healthy",
			within: 300 * time.Millisecond,
		},
		{
			name:     "the revision of a promotion, synced automatically",
			app:      argocdtest.AppConfig{Synced: true, AutoSync: true},
			prepare:  func(t *testing.T, e *env) string { return e.promote(t, "1.2.0") },
			cfg:      argocd.WaitConfig{Sync: true, Health: true},
			wantSync: "Synced", wantHealth: "Healthy",
			wantLog: "health Progressing",
		},
		{
			name:     "a short SHA",
			app:      argocdtest.AppConfig{Synced: true, AutoSync: true},
			prepare:  func(t *testing.T, e *env) string { return e.promote(t, "1.2.0")[:8] },
			cfg:      argocd.WaitConfig{Sync: true, Health: true},
			wantSync: "Synced", wantHealth: "Healthy",
		},
		{
			name:     "a degraded application fails before the timeout",
			app:      argocdtest.AppConfig{Synced: true, AutoSync: true, Degraded: true},
			prepare:  func(t *testing.T, e *env) string { return e.promote(t, "6.6.6") },
			cfg:      argocd.WaitConfig{Sync: true, Health: true, FailOnDegraded: true, Timeout: 20 * time.Second},
			wantErr:  argocd.ErrFailed,
			wantText: `is Degraded at revision`,
			within:   5 * time.Second, wantHealth: "Degraded",
		},
		{
			name: "a failed automated sync of the revision fails the wait",
			app:  argocdtest.AppConfig{Synced: true, AutoSync: true},
			prepare: func(t *testing.T, e *env) string {
				if err := e.srv.FailSyncs("web", "one or more synchronization tasks are not valid", -1); err != nil {
					t.Fatal(err)
				}
				return e.promote(t, "1.3.0")
			},
			cfg:      argocd.WaitConfig{Sync: true, Health: true, Timeout: 20 * time.Second},
			wantErr:  argocd.ErrFailed,
			wantText: `ended Failed: "one or more synchronization tasks are not valid"`,
			within:   5 * time.Second,
		},
		{
			name:    "a revision that never comes times out",
			app:     argocdtest.AppConfig{Synced: true},
			prepare: func(t *testing.T, e *env) string { return "0123456789abcdef0123456789abcdef01234567" },
			cfg:     argocd.WaitConfig{Sync: true, Health: true, Timeout: 600 * time.Millisecond},
			wantErr: argocd.ErrTimeout, wantText: "waiting for web to be at revision 0123456, Synced, Healthy; last state: sync Synced, health Healthy",
			within: 3 * time.Second,
		},
		{
			name:    "a token expiring during the wait is fatal",
			app:     argocdtest.AppConfig{Synced: true},
			prepare: func(t *testing.T, e *env) string { return "0123456789abcdef0123456789abcdef01234567" },
			token:   func(e *env) string { return e.srv.Token(400 * time.Millisecond) },
			cfg:     argocd.WaitConfig{Sync: true, Timeout: 20 * time.Second},
			wantErr: argocd.ErrUnauthenticated, wantText: `"invalid session: token has invalid claims: token is expired"; the token is expired`,
			within: 3 * time.Second,
		},
		{
			name: "transient errors are retried",
			app:  argocdtest.AppConfig{Synced: true},
			prepare: func(t *testing.T, e *env) string {
				e.srv.FailNext(3)
				return ""
			},
			cfg:      argocd.WaitConfig{Sync: true, Health: true},
			wantSync: "Synced", wantLog: "(retrying)",
		},
		{
			name:     "an unknown application is fatal",
			app:      argocdtest.AppConfig{Synced: true},
			cfg:      argocd.WaitConfig{App: argocd.AppRef{Name: "nope"}, Timeout: 20 * time.Second},
			wantText: `argo cd answered 404 to GET /api/v1/applications/nope: "applications.argoproj.io \"nope\" not found"; check the application name`,
			within:   2 * time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.app)
			cfg := tt.cfg
			if tt.prepare != nil {
				cfg.Revision = tt.prepare(t, e)
			}
			if cfg.App.Name == "" {
				cfg.App = e.web
			}
			cfg.Interval = fast
			if cfg.Timeout == 0 {
				cfg.Timeout = 10 * time.Second
			}
			client := e.client
			token := e.token
			if tt.token != nil {
				token = tt.token(e)
				var err error
				if client, err = argocd.NewClient(argocd.ClientConfig{Server: e.srv.URL(), Token: token}); err != nil {
					t.Fatal(err)
				}
			}
			var log testkit.LockedBuffer
			start := time.Now()
			res, err := argocd.Wait(t.Context(), client, cfg, &log)
			took := time.Since(start)
			switch {
			case tt.wantText == "" && err != nil:
				t.Fatalf("Wait: %v\n%s", err, log.String())
			case tt.wantText != "" && (err == nil || !strings.Contains(err.Error(), tt.wantText)):
				t.Fatalf("Wait error = %v, want one containing %q\n%s", err, tt.wantText, log.String())
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("Wait error = %v, want errors.Is %v", err, tt.wantErr)
			}
			if tt.within > 0 && took > tt.within {
				t.Errorf("Wait took %s, want at most %s", took, tt.within)
			}
			if strings.Contains(log.String(), token) || (err != nil && strings.Contains(err.Error(), token)) {
				t.Error("the log or error shows the token")
			}
			if tt.wantSync != "" && res.SyncStatus() != tt.wantSync {
				t.Errorf("sync status = %q, want %q\n%s", res.SyncStatus(), tt.wantSync, log.String())
			}
			if tt.wantHealth != "" && res.HealthStatus() != tt.wantHealth {
				t.Errorf("health = %q, want %q\n%s", res.HealthStatus(), tt.wantHealth, log.String())
			}
			if err == nil && cfg.Revision != "" && !argocd.SameRevision(res.Revision, cfg.Revision) {
				t.Errorf("revision = %q, want %q", res.Revision, cfg.Revision)
			}
			if tt.wantLog != "" && !strings.Contains(log.String(), tt.wantLog) {
				t.Errorf("the log lacks %q:\n%s", tt.wantLog, log.String())
			}
		})
	}
}

func TestSameRevision(t *testing.T) {
	t.Parallel()
	sha := "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		got, want string
		same      bool
	}{
		{sha, sha, true},
		{sha, sha[:7], true},
		{sha[:10], sha, true},
		{sha, sha[:6], false},
		{sha, "fedcba9", false},
		{"main", "main", true},
		{"main", "mai", false},
		{"", "", false},
		{strings.ToUpper(sha), sha, true},
	}
	for _, tt := range tests {
		if got := argocd.SameRevision(tt.got, tt.want); got != tt.same {
			t.Errorf("SameRevision(%q, %q) = %v, want %v", tt.got, tt.want, got, tt.same)
		}
	}
}

func TestInProgress(t *testing.T) {
	t.Parallel()
	op := &argocd.Operation{}
	state := func(phase, finished string, dry bool) *argocd.OperationState {
		return &argocd.OperationState{Phase: phase, FinishedAt: finished, Operation: argocd.Operation{Sync: &argocd.SyncOperation{DryRun: dry}}}
	}
	tests := []struct {
		name string
		app  argocd.Application
		want bool
	}{
		{"no operation ever", argocd.Application{}, false},
		{"requested", argocd.Application{Operation: op}, true},
		{"running", argocd.Application{Status: argocd.ApplicationStatus{OperationState: state("Running", "", false)}}, true},
		{"finished, not reconciled", argocd.Application{Status: argocd.ApplicationStatus{ReconciledAt: "2026-01-01T10:00:00Z", OperationState: state("Succeeded", "2026-01-01T10:00:05Z", false)}}, true},
		{"finished and reconciled", argocd.Application{Status: argocd.ApplicationStatus{ReconciledAt: "2026-01-01T10:00:05Z", OperationState: state("Succeeded", "2026-01-01T10:00:05Z", false)}}, false},
		{"dry run needs no reconcile", argocd.Application{Status: argocd.ApplicationStatus{ReconciledAt: "2026-01-01T10:00:00Z", OperationState: state("Succeeded", "2026-01-01T10:00:05Z", true)}}, false},
	}
	for _, tt := range tests {
		if got := argocd.InProgress(&tt.app); got != tt.want {
			t.Errorf("InProgress(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestWaitRefreshes checks that a wait for a revision asks Argo CD to look
// at git on its first read and again while the revision is missing.
func TestWaitRefreshes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, argocdtest.AppConfig{Synced: true})
	_, err := argocd.Wait(t.Context(), e.client, argocd.WaitConfig{App: e.web, Revision: "0123456789abcdef0123456789abcdef01234567", Timeout: 500 * time.Millisecond, Interval: 20 * time.Millisecond}, nil)
	if !errors.Is(err, argocd.ErrTimeout) || !strings.Contains(err.Error(), "Argo CD has not seen the revision: check that it is on the branch the application follows (main)") {
		t.Fatalf("Wait for a missing revision: %v", err)
	}
	var queries []string
	for _, r := range e.srv.Requests() {
		if r.Method == "GET" && r.Path == "/api/v1/applications/web" {
			queries = append(queries, r.Query)
		}
	}
	if len(queries) < 6 || queries[0] != "refresh=normal" || queries[1] != "" || queries[5] != "refresh=normal" {
		t.Errorf("the reads' queries = %q, want refresh=normal on the first and every fifth", queries)
	}
}
