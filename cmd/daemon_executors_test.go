package cmd

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/executor/resolve/gittest"
	"codeberg.org/anvil-ci/anvil/forge"
)

// TestDaemonActionsConfig checks that the config file's actions section
// reaches the resolver of each task: config.yaml is loaded, the runner's
// configuration built from it as anvil daemon does, and its resolver asked
// for acme/hello@v1, which only the git server srv has. The task's default
// actions URL names a forge without it.
func TestDaemonActionsConfig(t *testing.T) {
	t.Parallel()
	srv := gittest.NewServer(t, gittest.Options{})
	hello := srv.NewRepo(t, "acme/hello", false)
	hello.Commit(t, "main", helloFiles, "hello")
	hello.Tag(t, "v1", "main")
	local := t.TempDir()
	if err := os.WriteFile(filepath.Join(local, "action.yml"), []byte(helloFiles["action.yml"]), 0o644); err != nil {
		t.Fatal(err)
	}
	warm := t.TempDir() // filled by the mirror case, read offline
	empty := srv.URL + "/nothing-here"
	tests := []struct {
		name    string
		actions string // the actions section's keys
		wantDir string // "" for a commit in the cache
		wantErr string
	}{
		{name: "without a mirror: the forge's URL only", actions: "cache_dir: " + t.TempDir(),
			wantErr: "resolving acme/hello@v1 from " + empty + "/acme/hello: not found"},
		{name: "mirror replaces the forge's URL", actions: "mirror: " + srv.URL + "\ncache_dir: " + warm},
		{name: "offline from the cache the mirror filled", actions: "offline: true\nmirror: " + srv.URL + "\ncache_dir: " + warm},
		{name: "offline from a cold cache", actions: "offline: true\nmirror: " + srv.URL + "\ncache_dir: " + t.TempDir(),
			wantErr: "run once without --offline"},
		{name: "local repository", actions: "local_repositories: [acme/hello@v1=" + local + "]\noffline: true\ncache_dir: " + t.TempDir(),
			wantDir: local},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: the offline case needs the cache the mirror
			// case fills.
			dir := t.TempDir()
			config := "runner:\n  state_dir: " + filepath.Join(dir, "state") + "\n  env_file: \"\"\nhost:\n  workdir_parent: " +
				filepath.Join(dir, "work") + "\nactions:\n  " + strings.ReplaceAll(tt.actions, "\n", "\n  ") + "\n"
			path := filepath.Join(dir, "config.yaml")
			if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, notes, err := loadDaemonConfig(path)
			if err != nil || len(notes) > 0 {
				t.Fatalf("loading\n%s: %v %v", config, err, notes)
			}
			proc, _, _ := testProcess(map[string]string{"PATH": os.Getenv("PATH"), "HOME": t.TempDir()})
			reg := forge.RunnerFile{UUID: "u", Name: "n", Token: "t", Address: "http://127.0.0.1:1"}
			log := logrus.New()
			log.SetOutput(io.Discard)
			rc, done, err := runnerConfig(proc, cfg, reg, []string{"x:host"}, log)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(done)
			before := srv.Stats("acme/hello").Fetches
			r, err := rc.Actions(map[string]any{"forgejo_default_actions_url": empty, "token": "job-token", "server_url": empty},
				logrus.NewEntry(log))
			if err != nil {
				t.Fatalf("building the task's resolver: %v", err)
			}
			got, ok := gittest.ResolveAction(t, r, "acme/hello@v1", tt.wantErr)
			if !ok {
				return
			}
			switch {
			case tt.wantDir != "" && got != tt.wantDir:
				t.Errorf("ResolveAction = %s, want the local repository %s", got, tt.wantDir)
			case tt.wantDir == "" && !strings.HasPrefix(got, filepath.Join(cfg.Actions.CacheDir, "commits")+string(filepath.Separator)):
				t.Errorf("ResolveAction = %s, want a commit in actions.cache_dir %s", got, cfg.Actions.CacheDir)
			}
			if cfg.Actions.Offline && srv.Stats("acme/hello").Fetches != before {
				t.Errorf("offline, the resolver fetched from the git server")
			}
		})
	}
}

// TestActionsConfigCheck checks that a bad actions section stops the
// daemon at start, naming the key.
func TestActionsConfigCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		actions actionsConfig
		wantErr string
	}{
		{name: "good", actions: actionsConfig{Mirror: "file:///srv/mirrors", LocalRepositories: []string{"acme/x@v1=/d", "https://h.example/acme/x@v2=d"}}},
		{name: "mirror without a scheme", actions: actionsConfig{Mirror: "git.example/mirrors"},
			wantErr: `actions.mirror "git.example/mirrors" is not an http(s) or file:// URL`},
		{name: "mirror with credentials", actions: actionsConfig{Mirror: "https://u:secret-pw@git.example"},
			wantErr: "actions.mirror contains credentials"},
		{name: "local without a directory", actions: actionsConfig{LocalRepositories: []string{"acme/x@v1"}},
			wantErr: `actions.local_repositories entry "acme/x@v1": write it as owner/repo@ref=DIR`},
		{name: "local without a version", actions: actionsConfig{LocalRepositories: []string{"acme/x=/d"}},
			wantErr: `actions.local_repositories entry "acme/x=/d"`},
		{name: "local with a path", actions: actionsConfig{LocalRepositories: []string{"acme/x/sub@v1=/d"}},
			wantErr: "names a path inside the repository"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := defaultDaemonConfig()
			cfg.Actions = tt.actions
			err := cfg.check()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("check() = %v, want no error", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("check() = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "secret-pw") {
				t.Errorf("the error shows the mirror's password: %v", err)
			}
		})
	}
}
