package resolve

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// gitError is a failed git command with the end of what it printed,
// token scrubbed.
type gitError struct {
	command string
	err     error
	stderr  string
}

func (e *gitError) Error() string {
	if e.stderr != "" {
		return fmt.Sprintf("git %s: %s", e.command, e.stderr)
	}
	return fmt.Sprintf("git %s: %v", e.command, e.err)
}

// runGit runs git in dir for an operation on url and returns its stdout.
// The token goes into git's environment as an Authorization header scoped
// to TokenURL, and only when url is under TokenURL: it never appears in
// arguments, URLs, files or errors.
func (r *Resolver) runGit(ctx context.Context, dir, url string, args ...string) (string, error) {
	c := exec.CommandContext(ctx, r.cfg.Git, args...)
	c.Dir = dir
	c.WaitDelay = 5 * time.Second
	env := r.cfg.Env
	if env == nil {
		env = c.Environ()
	}
	env = append(env[:len(env):len(env)], "GIT_TERMINAL_PROMPT=0", "GCM_INTERACTIVE=never", "GIT_LFS_SKIP_SMUDGE=1")
	if r.cfg.Token != "" && url != "" && underURL(url, r.cfg.TokenURL) {
		env = withGitConfig(env, "http."+strings.TrimSuffix(r.cfg.TokenURL, "/")+"/.extraHeader",
			"Authorization: Basic "+base64.StdEncoding.EncodeToString([]byte("token:"+r.cfg.Token)))
	}
	c.Env = env
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		if ctxErr := context.Cause(ctx); ctxErr != nil {
			return "", ctxErr
		}
		return "", &gitError{command: subcommand(args), err: err, stderr: r.scrub(lastLines(stderr.String(), 4))}
	}
	return stdout.String(), nil
}

// withGitConfig adds one configuration entry through GIT_CONFIG_COUNT,
// after any the environment has already.
func withGitConfig(env []string, key, value string) []string {
	n := 0
	out := make([]string, 0, len(env)+3)
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GIT_CONFIG_COUNT="); ok {
			n, _ = strconv.Atoi(v)
			continue
		}
		out = append(out, kv)
	}
	return append(out,
		"GIT_CONFIG_COUNT="+strconv.Itoa(n+1),
		fmt.Sprintf("GIT_CONFIG_KEY_%d=%s", n, key),
		fmt.Sprintf("GIT_CONFIG_VALUE_%d=%s", n, value))
}

// scrub removes the token from text.
func (r *Resolver) scrub(s string) string {
	if r.cfg.Token == "" {
		return s
	}
	s = strings.ReplaceAll(s, r.cfg.Token, "***")
	return strings.ReplaceAll(s, base64.StdEncoding.EncodeToString([]byte("token:"+r.cfg.Token)), "***")
}

// subcommand is the git subcommand in args, after any -c options.
func subcommand(args []string) string {
	for i := 0; i < len(args); i++ {
		if args[i] == "-c" {
			i++
			continue
		}
		return args[i]
	}
	return ""
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " / ")
}

// classify wraps a git failure in the sentinel its output points to.
// git gives no structured errors, so this reads the messages of git's
// HTTP transport.
func classify(err error) error {
	ge, ok := err.(*gitError)
	if !ok {
		return err
	}
	msg := strings.ToLower(ge.stderr)
	switch {
	case strings.Contains(msg, "authentication failed"), strings.Contains(msg, "could not read username"),
		strings.Contains(msg, "could not read password"), strings.Contains(msg, "terminal prompts disabled"),
		strings.Contains(msg, "returned error: 401"), strings.Contains(msg, "returned error: 403"):
		return fmt.Errorf("%w: %v", ErrAuth, err)
	case strings.Contains(msg, "not found"), strings.Contains(msg, "returned error: 404"),
		strings.Contains(msg, "does not appear to be a git repository"), strings.Contains(msg, "no such repository"):
		return fmt.Errorf("%w: %v", ErrNotFound, err)
	case strings.Contains(msg, "could not resolve host"), strings.Contains(msg, "failed to connect"),
		strings.Contains(msg, "connection refused"), strings.Contains(msg, "timed out"),
		strings.Contains(msg, "returned error: 5"), strings.Contains(msg, "unable to access"),
		strings.Contains(msg, "couldn't connect"), strings.Contains(msg, "ssl"):
		return fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	return err
}
