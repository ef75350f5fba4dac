package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/forge"
)

func TestDaemonLabels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		file     []string // in .runner
		config   []string // runner.labels
		want     []string
		wantErr  string
		rewrites bool
	}{
		{name: "the registration's", file: []string{"a:host"}, want: []string{"a:host"}},
		{name: "runner.labels replace them and are saved", file: []string{"a:host"}, config: []string{"b:host", "c:docker://alpine"},
			want: []string{"b:host", "c:docker://alpine"}, rewrites: true},
		{name: "none", wantErr: "the runner has no labels"},
		{name: "unknown schema", config: []string{"x:vm"}, wantErr: `label "x:vm" has schema "vm"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), ".runner")
			reg := forge.RunnerFile{ID: 1, UUID: "u", Name: "n", Token: "t", Address: "http://f", Labels: tt.file}
			if err := forge.WriteRunnerFile(path, reg); err != nil {
				t.Fatal(err)
			}
			cfg := defaultDaemonConfig()
			cfg.Runner.File = path
			cfg.Runner.Labels = tt.config
			got, err := daemonLabels(cfg, &reg, logrus.New())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("daemonLabels() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("daemonLabels() (-got +want):\n%s", diff)
			}
			saved, err := forge.ReadRunnerFile(path)
			if err != nil {
				t.Fatal(err)
			}
			wantSaved := tt.file
			if tt.rewrites {
				wantSaved = tt.want
			}
			if diff := cmp.Diff(saved.Labels, wantSaved); diff != "" {
				t.Errorf(".runner labels (-got +want):\n%s", diff)
			}
			if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
				t.Errorf(".runner mode %v, want 0600", st.Mode().Perm())
			}
		})
	}
}

func TestDaemonWithoutRegistration(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(config, []byte("runner:\n  file: "+filepath.Join(dir, ".runner")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	proc, _, stderr := testProcess(nil)
	if code := Main(t.Context(), proc, []string{"daemon", "-c", config}); code != ExitUsage || !strings.Contains(stderr.String(), "register the runner first with anvil register") {
		t.Errorf("exit %d, stderr:\n%s\nwant %d saying to register first", code, stderr, ExitUsage)
	}
}

// TestDaemonWarnsOfAnExposedRegistration is issue 11's item 8 for the
// daemon: a .runner others can read and a plain-http forge on another host
// are warned about when the registration is loaded, and the password in
// the forge's URL is never shown.
func TestDaemonWarnsOfAnExposedRegistration(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, ".runner")
	reg := forge.RunnerFile{ID: 1, UUID: "u", Name: "n", Token: "t", Address: "http://admin:hunter2@forge.invalid:3000"}
	if err := forge.WriteRunnerFile(path, reg); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(config, []byte("runner:\n  file: "+path+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	proc, stdout, stderr := testProcess(nil)
	// The registration has no labels, so the daemon stops right after
	// loading it.
	if code := Main(t.Context(), proc, []string{"daemon", "-c", config}); code == ExitOK {
		t.Fatalf("anvil daemon with a registration without labels: exit 0\n%s", stderr)
	}
	out := stdout.String() + stderr.String()
	for _, want := range []string{"has mode 0644", "chmod 600 " + path, "plain http:// to forge.invalid", "http://***@forge.invalid:3000"} {
		if !strings.Contains(out, want) {
			t.Errorf("the daemon's output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "hunter2") {
		t.Errorf("the daemon's output shows the password of the forge URL:\n%s", out)
	}
}
