package cmd

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

// registerSetup is a test forge with a registration token and a config
// whose runner.file is in a fresh directory.
func registerSetup(t *testing.T) (srv *forgetest.Server, config, runnerFile string) {
	t.Helper()
	srv = forgetest.New(t)
	srv.AddRegistrationToken("reg-token-123")
	dir := t.TempDir()
	runnerFile = filepath.Join(dir, ".runner")
	config = filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(config, []byte("runner:\n  file: "+runnerFile+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, config, runnerFile
}

func TestRegister(t *testing.T) {
	t.Parallel()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("reg-token-123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		stdin      string // with a terminal
		wantName   string
		wantLabels []string
		ephemeral  bool
	}{
		{name: "flags", args: []string{"--token", "reg-token-123", "--name", "build-1", "--labels", "self-hosted:host,linux:host", "--no-interactive"},
			wantName: "build-1", wantLabels: []string{"self-hosted:host", "linux:host"}},
		{name: "token file, repeated labels, ephemeral", args: []string{"--token-file", tokenFile, "--name", "eph", "--labels", "a:host", "--labels", "b", "--ephemeral", "--no-interactive"},
			wantName: "eph", wantLabels: []string{"a:host", "b"}, ephemeral: true},
		{name: "token from the environment, default labels", args: []string{"--name", "env", "--no-interactive"},
			env: map[string]string{registrationTokenEnv: "reg-token-123"}, wantName: "env", wantLabels: []string{"self-hosted:host"}},
		{name: "prompts on a terminal", args: nil, stdin: "reg-token-123\nasked\nx:host, y:docker://alpine:3\n",
			wantName: "asked", wantLabels: []string{"x:host", "y:docker://alpine:3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, config, runnerFile := registerSetup(t)
			proc, stdout, stderr := testProcess(tt.env)
			if tt.stdin != "" {
				proc.Stdin, proc.StdinTerminal = strings.NewReader(tt.stdin), true
			}
			args := append([]string{"register", "-c", config, "--instance", srv.URL() + "/"}, tt.args...)
			if code := Main(context.Background(), proc, args); code != ExitOK {
				t.Fatalf("anvil %v: exit %d\n%s", args, code, stderr)
			}
			if !strings.Contains(stdout.String(), "Start it with: anvil daemon -c "+config) {
				t.Errorf("stdout lacks how to start:\n%s", stdout)
			}
			st, err := os.Stat(runnerFile)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf(".runner mode %v, want 0600", st.Mode().Perm())
			}
			data, _ := os.ReadFile(runnerFile)
			var got map[string]any
			if err := json.Unmarshal(data, &got); err != nil {
				t.Fatalf(".runner is not JSON: %v", err)
			}
			runners := srv.Runners()
			if len(runners) != 1 {
				t.Fatalf("%d runners on the forge, want 1", len(runners))
			}
			r := runners[0]
			labels := make([]any, len(tt.wantLabels))
			for i, l := range tt.wantLabels {
				labels[i] = l
			}
			want := map[string]any{
				"WARNING": got["WARNING"], "id": float64(r.ID), "uuid": r.UUID, "name": tt.wantName, "token": r.Token,
				"address": srv.URL(), "labels": labels, "ephemeral": tt.ephemeral,
			}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf(".runner (-got +want):\n%s", diff)
			}
			// forgejo-runner's layout: WARNING first, 2-space indent.
			if !strings.HasPrefix(string(data), "{\n  \"WARNING\": ") {
				t.Errorf(".runner does not start like forgejo-runner's:\n%s", data)
			}
			names := make([]string, len(tt.wantLabels))
			for i, l := range tt.wantLabels {
				names[i], _, _ = strings.Cut(l, ":")
			}
			if diff := cmp.Diff(r.Labels, names); diff != "" {
				t.Errorf("labels registered on the forge (-got +want):\n%s", diff)
			}
		})
	}
}

func TestRegisterErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		setup      func(srv *forgetest.Server, runnerFile string)
		wantCode   int
		wantStderr string
	}{
		{name: "missing token without a terminal", args: []string{"--no-interactive"}, wantCode: ExitUsage,
			wantStderr: "missing --token (or --token-file, or ANVIL_REGISTRATION_TOKEN)"},
		{name: "bad registration token", args: []string{"--token", "wrong"}, wantCode: ExitFailed,
			wantStderr: "rejected the registration token"},
		{name: "already registered", args: []string{"--token", "reg-token-123"}, wantCode: ExitUsage,
			setup: func(_ *forgetest.Server, f string) {
				_ = os.WriteFile(f, []byte(`{"id":1,"uuid":"u","name":"old","token":"t","address":"http://x"}`), 0o600)
			},
			wantStderr: `already holds a registration (runner "old" at http://x); delete it to register again`},
		{name: "already registered with a password in the URL", args: []string{"--token", "reg-token-123"}, wantCode: ExitUsage,
			setup: func(_ *forgetest.Server, f string) {
				_ = os.WriteFile(f, []byte(`{"id":1,"uuid":"u","name":"old","token":"t","address":"https://admin:hunter2@x"}`), 0o600)
			},
			wantStderr: `(runner "old" at https://***@x)`},
		{name: "plain http to another host warns", args: []string{"--token", "reg-token-123", "--instance", "http://admin:hunter2@forge.invalid", "--wait", "1ms"},
			wantCode: ExitFailed, wantStderr: "warning: the forge address http://***@forge.invalid is plain http:// to forge.invalid, another machine"},
		{name: "bad label", args: []string{"--token", "reg-token-123", "--labels", "x:vm"}, wantCode: ExitUsage,
			wantStderr: `label "x:vm" has schema "vm"`},
		{name: "forge down longer than --wait", args: []string{"--token", "reg-token-123", "--wait", "1500ms"}, wantCode: ExitFailed,
			setup:      func(srv *forgetest.Server, _ string) { srv.Unavailable(time.Minute) },
			wantStderr: "did not answer within 1.5s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, config, runnerFile := registerSetup(t)
			if tt.setup != nil {
				tt.setup(srv, runnerFile)
			}
			proc, _, stderr := testProcess(nil)
			args := append([]string{"register", "-c", config, "--instance", srv.URL(), "--name", "n"}, tt.args...)
			if code := Main(context.Background(), proc, args); code != tt.wantCode || !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("anvil %v: exit %d, stderr:\n%s\nwant exit %d with %q", args, code, stderr, tt.wantCode, tt.wantStderr)
			}
			if strings.Contains(stderr.String(), "hunter2") {
				t.Errorf("anvil %v shows the password of a URL:\n%s", args, stderr)
			}
		})
	}
}

// TestRegisterHidesURLPassword registers with user:password@ in the
// instance URL (issue 11, item 8): it works, and neither stdout nor stderr
// shows the password.
func TestRegisterHidesURLPassword(t *testing.T) {
	t.Parallel()
	srv, config, _ := registerSetup(t)
	proc, stdout, stderr := testProcess(nil)
	instance := strings.Replace(srv.URL(), "://", "://admin:hunter2@", 1)
	args := []string{"register", "-c", config, "--instance", instance, "--token", "reg-token-123", "--name", "n", "--no-interactive"}
	if code := Main(context.Background(), proc, args); code != ExitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	out := stdout.String() + stderr.String()
	if strings.Contains(out, "hunter2") || !strings.Contains(out, "://***@") {
		t.Errorf("register output shows the URL's password or no redacted URL:\n%s", out)
	}
}

func TestRegisterWaitsForTheForge(t *testing.T) {
	t.Parallel()
	srv, config, runnerFile := registerSetup(t)
	srv.Unavailable(2 * time.Second)
	proc, _, stderr := testProcess(nil)
	start := time.Now()
	args := []string{"register", "-c", config, "--instance", srv.URL(), "--token", "reg-token-123", "--name", "late"}
	if code := Main(context.Background(), proc, args); code != ExitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if took := time.Since(start); took < 2*time.Second {
		t.Errorf("registered after %s, while the forge answered 503 for 2s", took)
	}
	if !strings.Contains(stderr.String(), "waiting for the forge") {
		t.Errorf("stderr does not say it waits:\n%s", stderr)
	}
	if _, err := os.Stat(runnerFile); err != nil {
		t.Error(err)
	}
}
