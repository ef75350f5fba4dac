package giteatest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	"code.gitea.io/sdk/gitea"
)

// Repo is a repository of the admin user on a Server, with a local work
// tree that Commit pushes from.
type Repo struct {
	Owner, Name string

	s    *Server
	mu   sync.Mutex // serialises Commit: one work tree
	work string
}

// CreateRepo creates an empty repository of the admin user, private or
// public; its first Commit pushes its default branch, main. Reading a
// private repository over git HTTP needs credentials, such as a running
// task's token.
func (s *Server) CreateRepo(ctx context.Context, name string, private bool) (*Repo, error) {
	c, err := s.client(ctx)
	if err != nil {
		return nil, err
	}
	if _, _, err := c.CreateRepo(gitea.CreateRepoOption{Name: name, DefaultBranch: "main", Private: private}); err != nil {
		return nil, fmt.Errorf("creating the repository %s/%s: %w", s.Admin, name, err)
	}
	work := filepath.Join(s.dir, "work", name)
	if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, err
	}
	r := &Repo{Owner: s.Admin, Name: name, s: s, work: work}
	if _, err := r.git(ctx, "init", "-q", "-b", "main"); err != nil {
		return nil, err
	}
	return r, nil
}

// FullName is owner/name.
func (r *Repo) FullName() string { return r.Owner + "/" + r.Name }

// CloneURL is the repository's git HTTP URL (without credentials).
func (r *Repo) CloneURL() string { return r.s.URL + "/" + r.FullName() + ".git" }

// path is the API path of the repository plus rest.
func (r *Repo) path(rest string) string {
	return "repos/" + url.PathEscape(r.Owner) + "/" + url.PathEscape(r.Name) + rest
}

// RegistrationToken returns a token that registers runners of this
// repository.
func (r *Repo) RegistrationToken(ctx context.Context) (string, error) {
	var reply struct {
		Token string `json:"token"`
	}
	if err := r.s.API(ctx, "POST", r.path("/actions/runners/registration-token"), nil, &reply); err != nil {
		return "", fmt.Errorf("getting a runner registration token: %w", err)
	}
	return reply.Token, nil
}

// SetSecret creates or replaces the repository's actions secret name.
func (r *Repo) SetSecret(ctx context.Context, name, value string) error {
	c, err := r.s.client(ctx)
	if err != nil {
		return err
	}
	if _, err := c.CreateRepoActionSecret(r.Owner, r.Name, name, gitea.CreateOrUpdateSecretOption{Data: value}); err != nil {
		return fmt.Errorf("setting the secret %s of %s: %w", name, r.FullName(), err)
	}
	return nil
}

// SetVariable creates the repository's actions variable name.
func (r *Repo) SetVariable(ctx context.Context, name, value string) error {
	c, err := r.s.client(ctx)
	if err != nil {
		return err
	}
	if _, err := c.CreateRepoActionVariable(r.Owner, r.Name, name, value); err != nil {
		return fmt.Errorf("setting the variable %s of %s: %w", name, r.FullName(), err)
	}
	return nil
}

// Dispatch starts the workflow file (e.g. "dispatch.yml") on ref (a branch
// name or refs/...) with inputs, as "Run workflow" does.
func (r *Repo) Dispatch(ctx context.Context, workflow, ref string, inputs map[string]string) error {
	in := map[string]any{"ref": ref, "inputs": inputs}
	if err := r.s.API(ctx, "POST", r.path("/actions/workflows/"+url.PathEscape(workflow)+"/dispatches"), in, nil); err != nil {
		return fmt.Errorf("dispatching %s on %s: %w", workflow, ref, err)
	}
	return nil
}

// OpenPullRequest opens a pull request of head into base and returns its
// number.
func (r *Repo) OpenPullRequest(ctx context.Context, head, base, title string) (int64, error) {
	c, err := r.s.client(ctx)
	if err != nil {
		return 0, err
	}
	pr, _, err := c.CreatePullRequest(r.Owner, r.Name, gitea.CreatePullRequestOption{Head: head, Base: base, Title: title})
	if err != nil {
		return 0, fmt.Errorf("opening a pull request of %s into %s: %w", head, base, err)
	}
	return pr.Index, nil
}
