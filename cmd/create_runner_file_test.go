package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/forge"
	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

func TestCreateRunnerFile(t *testing.T) {
	t.Parallel()
	const secret = "7c31591e8b67225a116d4a4519ea8e507e08f71f"
	const uuid = "37633331-3539-3165-3862-363732323561"
	tests := []struct {
		name     string
		onForge  bool // the secret was registered on the forge
		args     []string
		env      map[string]string
		wantCode int
		wantErr  string
		password bool // the instance URL carries user:password@, which no output may show
	}{
		{name: "known secret, checked", onForge: true, args: []string{"--secret-file", "SECRETFILE", "--connect"}, wantCode: ExitOK},
		{name: "secret from the environment, unchecked", args: []string{}, env: map[string]string{runnerSecretEnv: secret}, wantCode: ExitOK},
		{name: "unknown secret, checked", args: []string{"--secret", secret, "--connect"}, wantCode: ExitFailed, wantErr: "forgejo forgejo-cli actions register --secret"},
		{name: "unknown secret, a URL with a password", args: []string{"--secret", secret, "--connect"}, password: true, wantCode: ExitFailed, wantErr: "://***@127.0.0.1"},
		{name: "short secret", args: []string{"--secret", secret[:39]}, wantCode: ExitUsage, wantErr: "40 hexadecimal characters"},
		{name: "no secret", args: []string{}, wantCode: ExitUsage, wantErr: "needs --instance and the secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := forgetest.New(t)
			if tt.onForge {
				srv.AddRunnerWithSecret("offline-1", []string{"linux"}, secret)
			}
			dir := t.TempDir()
			file := filepath.Join(dir, ".runner")
			config := filepath.Join(dir, "config.yaml")
			secretFile := filepath.Join(dir, "secret")
			os.WriteFile(config, []byte("runner:\n  file: "+file+"\n  labels: [linux:host]\n"), 0o600)
			os.WriteFile(secretFile, []byte(secret+"\n"), 0o600)
			instance := srv.URL()
			if tt.password {
				instance = strings.Replace(instance, "://", "://admin:hunter2@", 1)
			}
			args := []string{"create-runner-file", "-c", config, "--instance", instance + "/", "--name", "offline-1", "--wait", "5s"}
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "SECRETFILE", secretFile))
			}
			env := tt.env
			if env == nil {
				env = map[string]string{}
			}
			proc, stdout, stderr := testProcess(env)
			code := Main(t.Context(), proc, args)
			if strings.Contains(stdout.String()+stderr.String(), "hunter2") {
				t.Errorf("the output shows the URL's password:\n%s%s", stdout, stderr)
			}
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
			}
			if tt.wantErr != "" {
				if !strings.Contains(stderr.String(), tt.wantErr) {
					t.Errorf("stderr lacks %q:\n%s", tt.wantErr, stderr)
				}
				if _, err := os.Stat(file); err == nil {
					t.Errorf("a runner file was written after an error")
				}
				if strings.Contains(stderr.String(), secret[16:]) {
					t.Errorf("the secret is in the error:\n%s", stderr)
				}
				return
			}
			reg, err := forge.ReadRunnerFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want := forge.RunnerFile{UUID: uuid, Token: secret, Name: "offline-1", Address: srv.URL(), Labels: []string{"linux:host"}}
			if reg.UUID != want.UUID || reg.Token != want.Token || reg.Name != want.Name || reg.Address != want.Address || strings.Join(reg.Labels, ",") != "linux:host" {
				t.Errorf("runner file = %+v, want %+v", reg, want)
			}
			if info, _ := os.Stat(file); info.Mode().Perm() != 0o600 {
				t.Errorf("runner file mode %o, want 600", info.Mode().Perm())
			}
			if tt.onForge {
				if rec, _ := srv.Runner(uuid); rec.Declares != 1 {
					t.Errorf("the forge got %d Declare calls, want 1 (--connect)", rec.Declares)
				}
			}
		})
	}
}

// A runner file made from a secret registered on the forge runs jobs.
func TestCreateRunnerFileThenDaemon(t *testing.T) {
	t.Parallel()
	const secret = "00112233445566778899aabbccddeeff00112233"
	srv := forgetest.New(t)
	srv.AddRunnerWithSecret("offline", []string{"self-hosted"}, secret)
	d := newDaemonDir(t, srv, "")
	proc, stdout, stderr := testProcess(map[string]string{runnerSecretEnv: secret})
	if code := Main(t.Context(), proc, []string{"create-runner-file", "-c", d.config, "--instance", srv.URL(), "--labels", "self-hosted:host"}); code != ExitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  a:\n    runs-on: self-hosted\n    steps: [{run: echo offline}]\n"})
	p := startDaemon(t, d, "--once")
	if code := p.wait(t, 30*time.Second); code != 0 {
		t.Fatalf("daemon exit %d:\n%s", code, p.stderr)
	}
	rec := srv.Task(id)
	if rec.Status != forgetest.StatusSuccess || rec.RunnerUUID != "30303131-3232-3333-3434-353536363737" {
		t.Errorf("task %s on runner %s, want success on the secret's runner", rec.Status, rec.RunnerUUID)
	}
}
