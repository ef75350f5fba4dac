package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

func TestGenerateConfigIsTheDefaults(t *testing.T) {
	t.Parallel()
	proc, stdout, _ := testProcess(nil)
	if code := Main(context.Background(), proc, []string{"generate-config"}); code != ExitOK {
		t.Fatalf("anvil generate-config exit %d", code)
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, stdout.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, notes, err := loadDaemonConfig(path)
	if err != nil {
		t.Fatalf("loading the generated config: %v", err)
	}
	if len(notes) > 0 {
		t.Errorf("the generated config has keys anvil does not read: %v", notes)
	}
	if diff := cmp.Diff(cfg, defaultDaemonConfig()); diff != "" {
		t.Errorf("generated config differs from the defaults (-got +want):\n%s", diff)
	}
	// Every key anvil reads is in the file, right after its comment.
	var root yaml.Node
	if err := yaml.Unmarshal(stdout.Bytes(), &root); err != nil {
		t.Fatal(err)
	}
	for section, keys := range known {
		sec := lookupNode(root.Content[0], section)
		if sec == nil || sec.key.HeadComment == "" && section != "log" {
			t.Errorf("section %s missing or undocumented", section)
			continue
		}
		for key := range keys.(map[string]any) {
			n := lookupNode(sec.value, key)
			if n == nil || n.key.HeadComment == "" {
				t.Errorf("key %s.%s missing or without a comment", section, key)
			}
		}
	}
}

type keyValue struct{ key, value *yaml.Node }

func lookupNode(m *yaml.Node, key string) *keyValue {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return &keyValue{m.Content[i], m.Content[i+1]}
		}
	}
	return nil
}

func TestLoadDaemonConfig(t *testing.T) {
	t.Parallel()
	forgejo := defaultDaemonConfig()
	forgejo.Log.Level = "debug"
	forgejo.Runner.Capacity = 3
	forgejo.Runner.Envs = map[string]string{"A_TEST_ENV_NAME_1": "a_test_env_value_1", "A_TEST_ENV_NAME_2": "a_test_env_value_2"}
	forgejo.Runner.Timeout = time.Hour
	forgejo.Runner.ShutdownTimeout = 3 * time.Hour
	forgejo.Runner.Labels = []string{"self-hosted:host", "ubuntu-latest:docker://node:20-bookworm"}
	forgejo.Container.Network = "bridge"
	shared := defaultDaemonConfig()
	shared.Cache.ExternalServer = "http://cache.internal.example:9000/"
	shared.Cache.Secret = "a-shared-secret-of-the-fleet"
	shared.Cache.Host = "192.0.2.10"
	limits := defaultDaemonConfig()
	limits.Container.CPUs = 1.5
	limits.Container.Memory = "512m"
	tests := []struct {
		name      string
		file      string
		want      daemonConfig
		wantNotes []string
		wantErr   string
	}{
		{name: "no file", file: "", want: defaultDaemonConfig()},
		{
			name: "forgejo-runner's config unchanged",
			file: "testdata/runner/forgejo-runner.yaml",
			want: forgejo,
			wantNotes: []string{
				"testdata/runner/forgejo-runner.yaml:7: log.job_level is not used by anvil (job logs go to the forge unfiltered); ignored",
				"testdata/runner/forgejo-runner.yaml:70: container.enable_ipv6 is not used by anvil (not supported by anvil's Docker executor); ignored",
				"testdata/runner/forgejo-runner.yaml:96: container.force_rebuild is not used by anvil (not supported by anvil's Docker executor); ignored",
			},
		},
		{
			name: "forgejo-runner's cache section unchanged",
			file: "testdata/runner/forgejo-runner-cache.yaml",
			want: shared,
			wantNotes: []string{
				"testdata/runner/forgejo-runner-cache.yaml:10: cache.proxy_port is not used by anvil (anvil has no cache proxy: each job reaches the cache server with a credential of its own); ignored",
			},
		},
		{name: "bad cache", file: "testdata/runner/bad-cache.yaml",
			wantErr: `cache.external_server "cache.internal.example:9000": use an http:// or https:// URL; cache.external_server needs cache.secret`},
		{name: "bad values", file: "testdata/runner/invalid.yaml",
			wantErr: "runner.capacity is 0; it must be at least 1; runner.fetch_interval is -1s; it must be a positive duration such as 5s"},
		{name: "missing file", file: "testdata/runner/nope.yaml", wantErr: "anvil generate-config > testdata/runner/nope.yaml"},
		{name: "container limits", file: "testdata/runner/limits.yaml", want: limits},
		{name: "bad container limits", file: "testdata/runner/bad-limits.yaml",
			wantErr: `container.cpus is -1; it must be 0 (no limit) or more; container.memory "lots": write a size such as 512m or 2g`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, notes, err := loadDaemonConfig(tt.file)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("loadDaemonConfig(%q) error = %v, want %q", tt.file, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("loadDaemonConfig(%q): %v", tt.file, err)
			}
			if diff := cmp.Diff(cfg, tt.want); diff != "" {
				t.Errorf("loadDaemonConfig(%q) (-got +want):\n%s", tt.file, diff)
			}
			if diff := cmp.Diff(notes, tt.wantNotes); diff != "" {
				t.Errorf("notes (-got +want):\n%s", diff)
			}
		})
	}
}

func TestConfigNotesUnknownKey(t *testing.T) {
	t.Parallel()
	var root yaml.Node
	if err := yaml.Unmarshal([]byte("runner:\n  lables: [x]\n"), &root); err != nil {
		t.Fatal(err)
	}
	got := configNotes("c.yaml", root.Content[0], "", known)
	want := []string{"c.yaml:2: unknown key runner.lables; ignored (known here: capacity, env_file, envs, fetch_interval, fetch_timeout, file, insecure, labels, report_interval, shutdown_timeout, state_dir, timeout)"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("configNotes (-got +want):\n%s", diff)
	}
}
