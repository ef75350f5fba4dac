package runner

import (
	"io"
	"testing"

	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/executor/resolve"
	"codeberg.org/anvil-ci/anvil/executor/resolve/gittest"
)

// TaskActions fetches from the default actions URL the task names, and
// sends the job token only to the task's forge.
func TestTaskActions(t *testing.T) {
	t.Parallel()
	srv := gittest.NewServer(t, gittest.Options{Token: "job-token"})
	hello := srv.NewRepo(t, "acme/hello", true)
	hello.Commit(t, "main", map[string]string{"action.yml": "name: hello\nruns:\n  using: node20\n  main: index.js\n"}, "hello")
	hello.Tag(t, "v1", "main")
	elsewhere := "http://127.0.0.1:1"
	tests := []struct {
		name    string
		github  map[string]any
		sources []string // base.Sources
		wantErr string
	}{
		{name: "forgejo's default actions URL", github: map[string]any{"forgejo_default_actions_url": srv.URL, "token": "job-token", "server_url": srv.URL}},
		{name: "gitea's default actions URL", github: map[string]any{"gitea_default_actions_url": srv.URL, "token": "job-token", "server_url": srv.URL}},
		{name: "no default actions URL: the base's sources", github: map[string]any{"token": "job-token", "server_url": srv.URL}, sources: []string{srv.URL}},
		{name: "the default actions URL wins over the base's sources", github: map[string]any{"forgejo_default_actions_url": srv.URL, "token": "job-token", "server_url": srv.URL},
			sources: []string{elsewhere}},
		{name: "no token without the forge's URL", github: map[string]any{"forgejo_default_actions_url": srv.URL, "token": "job-token"},
			wantErr: "authentication failed"},
		{name: "no token for another server", github: map[string]any{"forgejo_default_actions_url": srv.URL, "token": "job-token", "server_url": elsewhere},
			wantErr: "authentication failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			log := logrus.New()
			log.SetOutput(io.Discard)
			actions := TaskActions(resolve.Config{Sources: tt.sources, CacheDir: t.TempDir()})
			r, err := actions(tt.github, logrus.NewEntry(log))
			if err != nil {
				t.Fatalf("building the task's resolver: %v", err)
			}
			gittest.ResolveAction(t, r, "acme/hello@v1", tt.wantErr)
		})
	}
}
