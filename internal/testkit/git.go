package testkit

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitEnv is what Git adds to the test's environment: a fixed identity and
// date, so commits are the same on every machine, and no global or system
// configuration, so the machine's settings (signing, hooks) stay out.
var gitEnv = []string{
	"GIT_AUTHOR_NAME=Ada Author", "GIT_AUTHOR_EMAIL=ada@example.com",
	"GIT_COMMITTER_NAME=Ada Author", "GIT_COMMITTER_EMAIL=ada@example.com",
	"GIT_AUTHOR_DATE=2025-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2025-01-02T03:04:05Z",
	"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0",
}

// Git runs the real git command in dir with a fixed identity (Ada Author
// <ada@example.com>, 2025-01-02T03:04:05Z) and without the machine's
// global and system configuration. It fails the test when git fails and
// returns the output with surrounding space trimmed.
func Git(tb testing.TB, dir string, args ...string) string {
	tb.Helper()
	c := exec.Command("git", args...)
	c.Dir = dir
	c.Env = append(os.Environ(), gitEnv...)
	out, err := c.CombinedOutput()
	if err != nil {
		tb.Fatalf("git %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return strings.TrimSpace(string(out))
}

// WriteFile writes content to name (a slash path) under dir, creating the
// directories it needs.
func WriteFile(tb testing.TB, dir, name, content string) {
	tb.Helper()
	path := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// GitRepo copies the directory src into a new temporary git repository
// and commits it, with Git's identity, as the one commit of branch main.
// It returns the repository's directory.
func GitRepo(tb testing.TB, src string) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		tb.Fatalf("copying %s: %v", src, err)
	}
	Git(tb, dir, "init", "-q", "-b", "main")
	Git(tb, dir, "add", "-A")
	Git(tb, dir, "commit", "-q", "-m", "fixture")
	return dir
}
