package gitops

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
)

// gitRunner runs git in one clone with the credentials in the environment
// (never on the command line or in the remote URL).
type gitRunner struct {
	git     string
	dir     string
	env     []string
	secrets []string
}

// newGitRunner prepares git for the repository url: a token becomes an
// HTTP Authorization header scoped to url through GIT_CONFIG_* variables.
func newGitRunner(git string, base []string, repoURL, username, token string, author Author) *gitRunner {
	env := withoutGitConfigVars(base)
	n := gitConfigCount(base)
	add := func(key, value string) {
		env = append(env, fmt.Sprintf("GIT_CONFIG_KEY_%d=%s", n, key), fmt.Sprintf("GIT_CONFIG_VALUE_%d=%s", n, value))
		n++
	}
	var secrets []string
	if token != "" && isHTTP(repoURL) {
		if username == "" {
			username = "x-access-token"
		}
		cred := base64.StdEncoding.EncodeToString([]byte(username + ":" + token))
		add("http."+repoURL+".extraHeader", "Authorization: Basic "+cred)
		secrets = append(secrets, token, cred)
	}
	add("commit.gpgSign", "false")
	add("core.hooksPath", "/dev/null")
	env = append(env, "GIT_CONFIG_COUNT="+strconv.Itoa(n), "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=true",
		"GIT_AUTHOR_NAME="+author.Name, "GIT_AUTHOR_EMAIL="+author.Email,
		"GIT_COMMITTER_NAME="+author.Name, "GIT_COMMITTER_EMAIL="+author.Email)
	if u, err := url.Parse(repoURL); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			secrets = append(secrets, p)
		}
	}
	if git == "" {
		git = "git"
	}
	return &gitRunner{git: git, env: env, secrets: secrets}
}

func isHTTP(u string) bool {
	return strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")
}

// gitConfigCount reads GIT_CONFIG_COUNT from env, so our settings go after
// the caller's.
func gitConfigCount(env []string) int {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GIT_CONFIG_COUNT="); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

func withoutGitConfigVars(env []string) []string {
	var out []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "GIT_CONFIG_COUNT=") || strings.HasPrefix(kv, "GIT_TERMINAL_PROMPT=") || strings.HasPrefix(kv, "GIT_ASKPASS=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// gitError is a failed git command with its (scrubbed) messages.
type gitError struct {
	args   string
	code   int
	stderr string
	stdout string
}

func (e *gitError) Error() string {
	msg := e.stderr
	if msg == "" {
		msg = e.stdout
	}
	return fmt.Sprintf("git %s exited with %d: %s", e.args, e.code, lastLines(msg, 6))
}

// run runs git with args in the clone and returns its trimmed stdout.
func (g *gitRunner) run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, g.git, args...)
	cmd.Dir = g.dir
	cmd.Env = g.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err == nil {
		return strings.TrimSpace(stdout.String()), nil
	}
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return "", fmt.Errorf("running %s (is git installed?): %w", g.git, err)
	}
	return "", &gitError{
		args:   g.scrub(strings.Join(args, " ")),
		code:   ee.ExitCode(),
		stderr: g.scrub(strings.TrimSpace(stderr.String())),
		stdout: g.scrub(strings.TrimSpace(stdout.String())),
	}
}

// scrub hides the credentials in s.
func (g *gitRunner) scrub(s string) string {
	for _, sec := range g.secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return s
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " / ")
}

// pushRejected reports a push refused because the branch moved on (another
// pipeline pushed first) or was being updated at the same moment.
func pushRejected(err error) bool {
	var ge *gitError
	if !errors.As(err, &ge) {
		return false
	}
	text := ge.stderr + "\n" + ge.stdout
	for _, s := range []string{"[rejected]", "non-fast-forward", "fetch first", "failed to update ref", "cannot lock ref", "stale info", "[remote rejected]"} {
		if strings.Contains(text, s) {
			return !strings.Contains(text, "pre-receive hook declined") && !strings.Contains(text, "protected branch")
		}
	}
	return false
}
