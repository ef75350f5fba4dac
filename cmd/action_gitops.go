package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/anvil-ci/anvil/actions/gitops"
)

const gitopsPromoteLong = `Promote a new version in a GitOps config repository: clone the branch,
set an image tag or a YAML value in one file keeping comments, key order
and formatting, commit, and push. When another pipeline pushed first, the
branch is fetched again, the change applied on its new head and pushed
again (up to retries times). Nothing is committed when the file already
holds the value.

What to set:
  image + value           the kustomization images entry "image" gets
                          newTag value (digest for sha256:...)
  path + value            the value at a YAML path, e.g. image.tag (Helm
                          values), spec.template.spec.containers[name=web].image,
                          metadata.annotations["app.kubernetes.io/version"];
                          missing keys are created
  image + value + path    the image reference at path becomes image:value

Outputs: commit (the commit pushed, or the head when nothing changed),
changed (true/false), previous, value, attempts. Used by
actions/gitops-promote.`

const gitopsPromoteExample = `  # Inside a job, as actions/gitops-promote runs it (inputs from INPUT_*)
  anvil action gitops-promote

  # By hand (the token from the environment, not the command line)
  INPUT_TOKEN=$FORGE_TOKEN anvil action gitops-promote \
    --repository https://forge.example/acme/config.git \
    --file apps/web/overlays/prod/kustomization.yaml \
    --image ghcr.io/acme/web --value 1.4.2`

// defaultPromoteTimeout bounds a whole promotion (clone, retries, push).
const defaultPromoteTimeout = 5 * time.Minute

func gitopsPromoteInputs() []stepInput {
	return []stepInput{
		{"repository", "config repository: an http(s) URL, owner/name on this forge ($GITHUB_SERVER_URL), or a local path"},
		{"branch", "branch to change (default main)"},
		{"token", "token that may push (basic auth as the password); prefer INPUT_TOKEN over the flag"},
		{"username", "user name for the token (default x-access-token; forges accept any)"},
		{"file", "YAML file to change, relative to the repository root"},
		{"path", "YAML path of the value to set, e.g. image.tag or images[name=web].newTag"},
		{"image", "image name: sets the kustomization images entry (without path) or the image reference at path"},
		{"value", "the new value or tag (with image, empty takes the tag from image name:tag)"},
		{"message", "commit message (default: Promote NAME to VALUE)"},
		{"retries", "how often to fetch, re-apply and push again when the push is rejected (default 5)"},
		{"author-name", "commit author name (default: $GITHUB_ACTOR, else anvil)"},
		{"author-email", "commit author email (default: NAME@users.noreply.<forge host>, else anvil@localhost)"},
		{"timeout", "bound of the whole promotion, e.g. 2m (default 5m)"},
	}
}

// newGitopsPromoteCommand returns anvil action gitops-promote.
func newGitopsPromoteCommand(proc Process) *cobra.Command {
	c := &cobra.Command{Use: "gitops-promote", Short: "Set an image tag or YAML value in a GitOps config repository and push it",
		Long: gitopsPromoteLong, Example: gitopsPromoteExample, Args: rangeArgs(0, 0)}
	in := bindStepInputs(proc, c, gitopsPromoteInputs())
	c.RunE = func(c *cobra.Command, _ []string) error {
		return runGitopsPromote(c.Context(), proc, in)
	}
	return c
}

func runGitopsPromote(ctx context.Context, proc Process, in *stepInputs) error {
	step := newStepIO(proc)
	token := in.get("token")
	step.mask(token)
	cfg, timeout, err := promoteConfig(proc, in)
	if err != nil {
		return step.fail(ExitUsage, err)
	}
	cfg.Token = token
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("the promotion's timeout of %s ran out (raise timeout): %w", timeout, context.DeadlineExceeded))
	defer cancel()
	res, err := gitops.Promote(ctx, cfg, proc.Stdout)
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("%w: %w", context.Cause(ctx), err)
	}
	var outputs []output
	if res != nil {
		outputs = []output{
			{"commit", res.Commit}, {"changed", boolText(res.Changed)}, {"previous", res.Old},
			{"value", res.New}, {"attempts", fmt.Sprint(res.Attempts)},
		}
	}
	return step.finish(outputs, gitops.Summary(cfg, res, err), err)
}

// promoteConfig reads the inputs (all but the token) into a promotion.
func promoteConfig(proc Process, in *stepInputs) (gitops.Config, time.Duration, error) {
	var problems []error
	retries, err := in.integer("retries", gitops.DefaultRetries)
	problems = append(problems, err)
	if retries == 0 {
		retries = -1 // gitops: negative means no retries
	}
	timeout, err := in.duration("timeout", defaultPromoteTimeout)
	problems = append(problems, err)
	if err := errors.Join(problems...); err != nil {
		return gitops.Config{}, 0, err
	}
	branch := in.trimmed("branch")
	if branch == "" {
		branch = "main"
	}
	author := gitops.Author{Name: in.trimmed("author-name"), Email: in.trimmed("author-email")}
	if author.Name == "" {
		author.Name = proc.getenv("GITHUB_ACTOR")
	}
	if author.Email == "" && author.Name != "" {
		author.Email = author.Name + "@users.noreply." + hostOf(proc.getenv("GITHUB_SERVER_URL"))
	}
	cfg := gitops.Config{
		Repository: repositoryURL(in.trimmed("repository"), proc.getenv("GITHUB_SERVER_URL")),
		Branch:     branch,
		Username:   in.trimmed("username"),
		File:       in.trimmed("file"),
		Change:     gitops.Change{Path: in.trimmed("path"), Image: in.trimmed("image"), Value: in.trimmed("value")},
		Message:    in.get("message"),
		Retries:    retries,
		Author:     author,
		WorkDir:    proc.getenv("RUNNER_TEMP"),
		Env:        proc.environ(),
	}
	return cfg, timeout, nil
}

var ownerName = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

// repositoryURL turns owner/name into a clone URL on the forge serverURL,
// unless it is a local directory.
func repositoryURL(repo, serverURL string) string {
	if !ownerName.MatchString(repo) || serverURL == "" {
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
