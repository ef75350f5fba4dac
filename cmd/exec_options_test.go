package cmd

import (
	stdcmp "cmp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"

	"codeberg.org/anvil-ci/anvil/demo"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// copyFixture copies cmd/testdata/<name> to a new git repository and
// returns its directory.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	src := filepath.Join("testdata", name)
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		t.Fatalf("copying fixture %s: %v", name, err)
	}
	if err := demo.CommitAll(t.Context(), dir, "fixture", time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// configView is the part of the engine config the flags decide.
type configView struct {
	WorkDir       string
	SourceDir     string
	LocalCheckout bool
	Secrets       map[string]string
	Vars          map[string]string
	Env           map[string]string
	Inputs        map[string]any
	Grace         time.Duration
	EventName     any
	HasPath       bool
}

func TestExecFlagsToConfig(t *testing.T) {
	t.Parallel()
	repo := copyFixture(t, "exec/hello")
	files := t.TempDir()
	testkit.WriteFile(t, files, "secrets.env", "TOKEN=from-file\nOTHER='kept'\n")
	testkit.WriteFile(t, files, "vars.env", "WHO=file\n")
	testkit.WriteFile(t, files, "env.env", "export MODE=file\n")
	testkit.WriteFile(t, files, "bad.env", "NOPE\n")
	env := map[string]string{"PATH": "/usr/bin", "FROM_ENV": "env-value", "HOME": "/root", "AWS_SECRET": "leak"}
	empty := map[string]string{}

	tests := []struct {
		name    string
		args    []string
		event   string
		want    configView
		wantErr string
	}{
		{
			name:  "defaults",
			args:  []string{"-C", repo},
			event: "push",
			want: configView{SourceDir: repo, LocalCheckout: true, Secrets: empty, Vars: empty, Env: empty,
				Inputs: map[string]any{}, Grace: 10 * time.Second, EventName: "push", HasPath: true},
		},
		{
			name: "every value flag",
			args: []string{"--directory", repo, "-s", "TOKEN=flag", "-s", "FROM_ENV", "--secret-file", filepath.Join(files, "secrets.env"),
				"--var", "WHO=flag", "--var-file", filepath.Join(files, "vars.env"), "--env", "A=1", "--env", "B=x=y",
				"--env-file", filepath.Join(files, "env.env"), "--input", "level=debug", "--workdir", "/tmp/jobs", "--grace", "3s"},
			event: "workflow_dispatch",
			want: configView{
				WorkDir: "/tmp/jobs", SourceDir: repo, LocalCheckout: true,
				Secrets:   map[string]string{"TOKEN": "flag", "FROM_ENV": "env-value", "OTHER": "kept"},
				Vars:      map[string]string{"WHO": "flag"},
				Env:       map[string]string{"A": "1", "B": "x=y", "MODE": "file"},
				Inputs:    map[string]any{"level": "debug"},
				Grace:     3 * time.Second,
				EventName: "workflow_dispatch",
				HasPath:   true,
			},
		},
		{name: "secret missing from the environment", args: []string{"-C", repo, "-s", "NOT_SET"}, wantErr: "-s NOT_SET takes its value from anvil's environment, but NOT_SET is not set"},
		{name: "var without a value", args: []string{"-C", repo, "--var", "WHO"}, wantErr: `--var "WHO": write it as NAME=VALUE`},
		{name: "input without a name", args: []string{"-C", repo, "--input", "=x"}, wantErr: `--input "=x": write it as NAME=VALUE`},
		{name: "missing secret file", args: []string{"-C", repo, "--secret-file", filepath.Join(files, "none")}, wantErr: "--secret-file: open"},
		{name: "bad env file", args: []string{"-C", repo, "--env-file", filepath.Join(files, "bad.env")}, wantErr: "line 1: write it as NAME=VALUE"},
		{name: "docker platform without image", args: []string{"-C", repo, "-P", "ubuntu-latest=docker://"}, wantErr: "name the image, e.g. -P ubuntu-latest=docker://"},
		{name: "missing directory", args: []string{"-C", filepath.Join(files, "nowhere")}, wantErr: "-C " + filepath.Join(files, "nowhere")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := &execOptions{}
			fs := pflag.NewFlagSet("exec", pflag.ContinueOnError)
			opts.bind(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatalf("parsing %q: %v", tt.args, err)
			}
			proc, _, _ := testProcess(env)
			prep, err := prepareExec(t.Context(), proc, opts, stdcmp.Or(tt.event, "push"))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("prepareExec(%q) error = %v, want it to contain %q", tt.args, err, tt.wantErr)
				}
				if code := reportError(proc, err); code != ExitUsage {
					t.Errorf("prepareExec(%q) exit status = %d, want %d", tt.args, code, ExitUsage)
				}
				return
			}
			if err != nil {
				t.Fatalf("prepareExec(%q) error = %v", tt.args, err)
			}
			c := prep.Config
			got := configView{
				WorkDir: c.WorkDir, SourceDir: c.SourceDir, LocalCheckout: c.LocalCheckout,
				Secrets: c.Secrets, Vars: c.Vars, Env: c.Env, Inputs: c.Inputs, Grace: c.Grace,
				EventName: c.Github["event_name"], HasPath: c.BaseEnv["PATH"] == "/usr/bin",
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("prepareExec(%q) config (-got +want):\n%s", tt.args, diff)
			}
			if _, ok := c.BaseEnv["AWS_SECRET"]; ok {
				t.Errorf("prepareExec(%q) passed AWS_SECRET from anvil's environment to jobs", tt.args)
			}
		})
	}
}
