package cmd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestShortLivedCommandsTuneTheCollector checks which commands raise the
// collector's target through Process.SetGCPercent: those that run once and
// exit, unless GOGC is set; never the long-running ones.
func TestShortLivedCommandsTuneTheCollector(t *testing.T) {
	t.Parallel()
	repo := filepath.Join("testdata", "lint", "repo")
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []int
	}{
		{name: "lint", args: []string{"lint", "-C", repo}, want: []int{shortLivedGCPercent}},
		{name: "exec -l", args: []string{"exec", "-C", repo, "-l"}, want: []int{shortLivedGCPercent}},
		{name: "policy test", args: []string{"policy", "test", "-C", repo, "-p", "no-such-policy.yaml"}, want: []int{shortLivedGCPercent}},
		{name: "GOGC set by the user wins", args: []string{"lint", "-C", repo}, env: map[string]string{"GOGC": "50"}},
		{name: "version", args: []string{"version"}},
		{name: "help", args: []string{"--help"}},
		{name: "daemon with bad flags", args: []string{"daemon", "--no-such-flag"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			proc, _, stderr := testProcess(tt.env)
			var got []int
			proc.SetGCPercent = func(p int) int { got = append(got, p); return 100 }
			Main(t.Context(), proc, tt.args)
			if len(got) != len(tt.want) || (len(got) == 1 && got[0] != tt.want[0]) {
				t.Errorf("anvil %v set the GC percent to %v, want %v (stderr: %s)", tt.args, got, tt.want, stderr)
			}
		})
	}
}

// TestSecret checks the order in which a credential is taken: the flag,
// else the file, else the environment.
func TestSecret(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("  from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		flag, file string
		env        map[string]string
		want       string
		wantErr    string
	}{
		{name: "flag wins", flag: "from-flag", file: file, env: map[string]string{"TOKEN": "from-env"}, want: "from-flag"},
		{name: "file before environment, trimmed", file: file, env: map[string]string{"TOKEN": "from-env"}, want: "from-file"},
		{name: "environment, trimmed", env: map[string]string{"TOKEN": " from-env "}, want: "from-env"},
		{name: "none", want: ""},
		{name: "unreadable file names its flag", file: file + ".missing", wantErr: "--token-file: open "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			proc, _, _ := testProcess(tt.env)
			got, err := proc.secret(tt.flag, tt.file, "--token-file", "TOKEN")
			if tt.wantErr != "" {
				var ee *exitError
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) || !errors.As(err, &ee) || ee.code != ExitUsage {
					t.Fatalf("secret() error = %v, want a usage error starting %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("secret() = %q, %v, want %q", got, err, tt.want)
			}
		})
	}
}
