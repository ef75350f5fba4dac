package cmd

import (
	"os"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/argocd/argocdtest"
	"codeberg.org/anvil-ci/anvil/actions/gitops/gitopstest"
)

// argocdServer starts an Argo CD test server with the synced application
// web and returns it with its config repository.
func argocdServer(t *testing.T) (*argocdtest.Server, *gitopstest.Repo) {
	t.Helper()
	git := gitopstest.NewTest(t, gitopstest.Options{})
	repo := git.MustRepo(t, "acme/config", map[string]string{"web/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"})
	srv := argocdtest.NewTest(t, argocdtest.Config{Users: map[string]string{"ci": "pa55-w0rd"}, SyncDuration: 50 * time.Millisecond})
	if err := srv.AddApp(t.Context(), argocdtest.AppConfig{Name: "web", RepoDir: repo.Dir, Path: "web", TargetRevision: "main", Synced: true}); err != nil {
		t.Fatal(err)
	}
	return srv, repo
}

func TestActionArgocd(t *testing.T) {
	t.Parallel()
	srv, repo := argocdServer(t)
	token := srv.Token(0)
	head := repo.MustHead(t)
	tests := []struct {
		name        string
		args        []string
		env         map[string]string
		wantCode    int
		wantOutputs map[string]string
		// wantFirst are the first lines of stdout.
		wantFirst  []string
		wantStdout []string
		wantSumm   string
	}{
		{
			name:        "wait with a token",
			args:        []string{"action", "argocd-wait"},
			env:         map[string]string{"INPUT_TOKEN": token, "INPUT_REVISION": head[:7]},
			wantOutputs: map[string]string{"sync-status": "Synced", "health-status": "Healthy", "revision": head},
			wantFirst:   []string{"::add-mask::" + token},
			wantSumm:    "✅ Argo CD wait `web`",
		},
		{
			name:        "sync with a password",
			args:        []string{"action", "argocd-sync", "--prune", "true"},
			env:         map[string]string{"INPUT_USERNAME": "ci", "INPUT_PASSWORD": "pa55-w0rd", "INPUT_RESOURCES": ":Service:web\n", "INPUT_DRY-RUN": "true"},
			wantOutputs: map[string]string{"phase": "Succeeded", "sync-status": "Synced", "revision": head, "message": "successfully synced (dry run)"},
			wantFirst:   []string{"::add-mask::pa55-w0rd", "::add-mask::"},
			wantSumm:    "| Operation | Succeeded |",
		},
		{
			name:        "a wrong password",
			args:        []string{"action", "argocd-sync"},
			env:         map[string]string{"INPUT_USERNAME": "ci", "INPUT_PASSWORD": "wrong-pw"},
			wantCode:    ExitFailed,
			wantOutputs: map[string]string{},
			wantFirst:   []string{"::add-mask::wrong-pw"},
			wantStdout:  []string{`::error::logging in to`, `"Invalid username or password"`},
		},
		{
			name:        "a wait that times out still writes its outputs",
			args:        []string{"action", "argocd-wait", "--timeout", "300ms"},
			env:         map[string]string{"INPUT_TOKEN": token, "INPUT_REVISION": "0123456789abcdef0123456789abcdef01234567"},
			wantCode:    ExitFailed,
			wantOutputs: map[string]string{"sync-status": "Synced", "health-status": "Healthy"},
			wantStdout:  []string{"::error::timed out after"},
			wantSumm:    "❌ Argo CD wait `web`",
		},
		{
			name:       "bad inputs are all reported",
			args:       []string{"action", "argocd-sync"},
			env:        map[string]string{"INPUT_APP": "a/b/c", "INPUT_TIMEOUT": "soon", "INPUT_PRUNE": "maybe", "INPUT_RESOURCES": "Deployment/web"},
			wantCode:   ExitUsage,
			wantStdout: []string{`application "a/b/c"`, "no credentials: give token, or username and password", `input timeout is "soon"; write a duration`, `input prune is "maybe"; write true or false`, `resource "Deployment/web"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"INPUT_SERVER": srv.URL(), "INPUT_APP": "web", "INPUT_INTERVAL": "50ms"}
			for k, v := range tt.env {
				env[k] = v
			}
			outputs, summary := stepFiles(t, env)
			proc, stdout, stderr := testProcess(env)
			if code := Main(t.Context(), proc, tt.args); code != tt.wantCode {
				t.Fatalf("anvil %q exited %d, want %d:\n%s\n%s", tt.args, code, tt.wantCode, stdout, stderr)
			}
			lines := strings.Split(stdout.String(), "\n")
			for i, w := range tt.wantFirst {
				if i >= len(lines) || !strings.HasPrefix(lines[i], w) {
					t.Errorf("stdout line %d should start %q:\n%s", i+1, w, stdout)
				}
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			got := readOutputs(t, outputs)
			for k, v := range tt.wantOutputs {
				if got[k] != v {
					t.Errorf("output %s = %q, want %q (all: %v)", k, got[k], v, got)
				}
			}
			if s, _ := os.ReadFile(summary); !strings.Contains(string(s), tt.wantSumm) {
				t.Errorf("summary lacks %q:\n%s", tt.wantSumm, s)
			}
			// Secrets show only in their ::add-mask:: lines.
			for _, l := range lines {
				for _, secret := range []string{token, "pa55-w0rd"} {
					if strings.Contains(l, secret) && !strings.HasPrefix(l, "::add-mask::") {
						t.Errorf("stdout shows a secret outside a mask: %q", l)
					}
				}
			}
		})
	}
}
