package gitops

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/step"
)

// DefaultTimeout bounds a whole promotion (clone, retries, push).
const DefaultTimeout = 5 * time.Minute

// PromoteInputs are gitops-promote's inputs.
func PromoteInputs() []step.Input {
	return []step.Input{
		{Name: "repository", Usage: "config repository: an http(s) URL, owner/name on this forge ($GITHUB_SERVER_URL), or a local path"},
		{Name: "branch", Usage: "branch to change (default main)"},
		{Name: "token", Usage: "token that may push (basic auth as the password); prefer INPUT_TOKEN over the flag"},
		{Name: "username", Usage: "user name for the token (default x-access-token; forges accept any)"},
		{Name: "file", Usage: "YAML file to change, relative to the repository root"},
		{Name: "path", Usage: "YAML path of the value to set, e.g. image.tag or images[name=web].newTag"},
		{Name: "image", Usage: "image name: sets the kustomization images entry (without path) or the image reference at path"},
		{Name: "value", Usage: "the new value or tag (with image, empty takes the tag from image name:tag)"},
		{Name: "message", Usage: "commit message (default: Promote NAME to VALUE)"},
		{Name: "retries", Usage: "how often to fetch, re-apply and push again when the push is rejected (default 5)"},
		{Name: "author-name", Usage: "commit author name (default: $GITHUB_ACTOR, else anvil)"},
		{Name: "author-email", Usage: "commit author email (default: NAME@users.noreply.<forge host>, else anvil@localhost)"},
		{Name: "timeout", Usage: "bound of the whole promotion, e.g. 2m (default 5m)"},
	}
}

// ParsePromote reads gitops-promote's inputs into a promotion and its
// timeout, reporting every problem at once. env is the step's
// environment ($GITHUB_ACTOR, $GITHUB_SERVER_URL, $RUNNER_TEMP) and
// environ all of it, for git.
func ParsePromote(in *step.Inputs, env func(key string) (string, bool), environ []string) (Config, time.Duration, error) {
	get := func(key string) string {
		v, _ := env(key)
		return v
	}
	retries := in.Int("retries", DefaultRetries)
	if retries == 0 {
		retries = -1 // Config: negative means no retries
	}
	timeout := in.Duration("timeout", DefaultTimeout)
	branch := in.String("branch")
	if branch == "" {
		branch = "main"
	}
	author := Author{Name: in.String("author-name"), Email: in.String("author-email")}
	if author.Name == "" {
		author.Name = get("GITHUB_ACTOR")
	}
	if author.Email == "" && author.Name != "" {
		author.Email = author.Name + "@users.noreply." + hostOf(get("GITHUB_SERVER_URL"))
	}
	cfg := Config{
		Repository: repositoryURL(in.String("repository"), get("GITHUB_SERVER_URL")),
		Branch:     branch,
		Token:      in.Raw("token"),
		Username:   in.String("username"),
		File:       in.String("file"),
		Change:     Change{Path: in.String("path"), Image: in.String("image"), Value: in.String("value")},
		Message:    in.Raw("message"),
		Retries:    retries,
		Author:     author,
		WorkDir:    get("RUNNER_TEMP"),
		Env:        environ,
	}
	return cfg, timeout, in.Err()
}

var ownerName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`) })

// repositoryURL turns owner/name into a clone URL on the forge serverURL,
// unless it is a local directory.
func repositoryURL(repo, serverURL string) string {
	if !ownerName().MatchString(repo) || serverURL == "" {
		return repo
	}
	if st, err := os.Stat(repo); err == nil && st.IsDir() {
		return repo
	}
	return strings.TrimRight(serverURL, "/") + "/" + strings.TrimSuffix(repo, ".git") + ".git"
}

// hostOf is the host of a URL, or "localhost".
func hostOf(u string) string {
	if _, rest, ok := strings.Cut(u, "://"); ok {
		host, _, _ := strings.Cut(rest, "/")
		host, _, _ = strings.Cut(host, ":")
		if host != "" {
			return host
		}
	}
	return "localhost"
}

// PromoteOutputs are gitops-promote's step outputs from res (none when
// nil).
func PromoteOutputs(res *Result) []step.Output {
	if res == nil {
		return nil
	}
	return []step.Output{
		{Name: "commit", Value: res.Commit}, {Name: "changed", Value: strconv.FormatBool(res.Changed)},
		{Name: "previous", Value: res.Old}, {Name: "value", Value: res.New}, {Name: "attempts", Value: strconv.Itoa(res.Attempts)},
	}
}
