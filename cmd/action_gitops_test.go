package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/actions/gitops/gitopstest"
)

// stepFiles makes $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY for a command
// and adds them, with PATH, to env.
func stepFiles(t *testing.T, env map[string]string) (outputs, summary string) {
	t.Helper()
	dir := t.TempDir()
	outputs, summary = filepath.Join(dir, "output"), filepath.Join(dir, "summary")
	env["GITHUB_OUTPUT"], env["GITHUB_STEP_SUMMARY"], env["PATH"] = outputs, summary, os.Getenv("PATH")
	return outputs, summary
}

// readOutputs parses a $GITHUB_OUTPUT file written in the NAME<<DELIM form.
func readOutputs(t *testing.T, file string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return map[string]string{}
	}
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			continue
		}
		var value []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			value = append(value, lines[i])
		}
		out[name] = strings.Join(value, "\n")
	}
	return out
}

func TestActionGitopsPromote(t *testing.T) {
	t.Parallel()
	srv := gitopstest.NewTest(t, gitopstest.Options{})
	repo := srv.MustRepo(t, "acme/config", map[string]string{"values.yaml": "image:\n  tag: v1 # the tag\n"})
	env := map[string]string{
		"INPUT_REPOSITORY": repo.URL(), "INPUT_TOKEN": srv.Token, "INPUT_FILE": "values.yaml",
		"INPUT_PATH": "image.tag", "INPUT_VALUE": "v1", "GITHUB_ACTOR": "octo", "GITHUB_SERVER_URL": "https://forge.test",
		"RUNNER_TEMP": t.TempDir(),
	}
	outputs, summary := stepFiles(t, env)
	proc, stdout, stderr := testProcess(env)
	// The flag wins over INPUT_VALUE.
	if code := Main(t.Context(), proc, []string{"action", "gitops-promote", "--value", "v2"}); code != ExitOK {
		t.Fatalf("gitops-promote exited %d:\n%s\n%s", code, stdout, stderr)
	}
	if first, _, _ := strings.Cut(stdout.String(), "\n"); first != "::add-mask::"+srv.Token {
		t.Errorf("the first line is %q, want the token's mask", first)
	}
	head := repo.MustHead(t)
	got := readOutputs(t, outputs)
	want := map[string]string{"commit": head, "changed": "true", "previous": "v1", "value": "v2", "attempts": "1"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("output %s = %q, want %q", k, got[k], v)
		}
	}
	if s, _ := os.ReadFile(summary); !strings.Contains(string(s), "`v1` → `v2`") {
		t.Errorf("summary:\n%s", s)
	}
	author, err := exec.Command("git", "--git-dir", repo.Dir, "log", "-1", "--format=%an <%ae>", "main").Output()
	if err != nil || strings.TrimSpace(string(author)) != "octo <octo@users.noreply.forge.test>" {
		t.Errorf("the commit's author = %q (%v), want the actor", author, err)
	}
}

func TestActionGitopsPromoteInputs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		env        map[string]string
		wantCode   int
		wantStdout []string
	}{
		{"bad retries and timeout", map[string]string{"INPUT_RETRIES": "many", "INPUT_TIMEOUT": "-1s", "INPUT_REPOSITORY": "r", "INPUT_FILE": "f", "INPUT_PATH": "a", "INPUT_VALUE": "1"},
			ExitUsage, []string{`::error::input retries is "many"; write a whole number`, `%0Ainput timeout is "-1s"; write a positive duration`}},
		{"nothing to set", map[string]string{"INPUT_REPOSITORY": "/no/such/repo", "INPUT_FILE": "f"}, ExitFailed, []string{"::error::nothing to set"}},
		{"no file", map[string]string{"INPUT_REPOSITORY": "/no/such/repo", "INPUT_PATH": "a", "INPUT_VALUE": "1"}, ExitFailed, []string{"::error::file is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stepFiles(t, tt.env)
			proc, stdout, _ := testProcess(tt.env)
			if code := Main(t.Context(), proc, []string{"action", "gitops-promote"}); code != tt.wantCode {
				t.Errorf("exit %d, want %d:\n%s", code, tt.wantCode, stdout)
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
		})
	}
}
