package resolve

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// download fetches commit from repoURL into a temporary directory under
// the cache, checks that the checked-out tree is that commit, and renames
// it to dst.
func (r *Resolver) download(ctx context.Context, repoURL, refName, commit, dst string) error {
	tmpRoot := filepath.Join(r.cfg.CacheDir, "tmp")
	if err := os.MkdirAll(tmpRoot, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w (check that the action cache is writable)", tmpRoot, err)
	}
	tmp, err := os.MkdirTemp(tmpRoot, commit[:12]+"-")
	if err != nil {
		return fmt.Errorf("creating a fetch directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	git := func(args ...string) (string, error) {
		return r.runGit(ctx, tmp, repoURL, append([]string{"-c", "core.hooksPath=/dev/null"}, args...)...)
	}
	initArgs := []string{"init", "-q"}
	if len(commit) == 64 {
		initArgs = append(initArgs, "--object-format=sha256")
	}
	if _, err := git(initArgs...); err != nil {
		return err
	}
	has := func() bool {
		_, err := git("cat-file", "-e", commit+"^{commit}")
		return err == nil
	}
	// Shallow, by commit id: what Forgejo, Gitea and GitHub allow.
	_, err = git("fetch", "-q", "--no-tags", "--depth=1", repoURL, commit)
	if err != nil {
		err = classify(err)
		if errors.Is(err, ErrAuth) || errors.Is(err, ErrUnreachable) || ctx.Err() != nil {
			return err
		}
		// A server that refuses ids: through the ref, else everything.
		if refName != "" {
			_, err = git("fetch", "-q", "--no-tags", "--depth=1", repoURL, refName)
		}
		if refName == "" || !has() {
			_, err = git("fetch", "-q", "--no-tags", repoURL, "+refs/heads/*:refs/anvil/heads/*", "+refs/tags/*:refs/anvil/tags/*")
		}
		if err != nil {
			return classify(err)
		}
	}
	if !has() {
		if refName != "" {
			return fmt.Errorf("%w: %s no longer points to %s (it moved while anvil fetched it): run again", ErrNotFound, refName, commit)
		}
		return fmt.Errorf("%w: commit %s is not in the repository", ErrNotFound, commit)
	}
	if _, err := git("-c", "advice.detachedHead=false", "checkout", "-q", "--detach", commit); err != nil {
		return fmt.Errorf("checking out %s: %w", commit, err)
	}
	head, err := git("rev-parse", "HEAD")
	if err != nil {
		return err
	}
	if got := strings.TrimSpace(head); got != commit {
		return fmt.Errorf("%w: fetched commit %s, want %s", ErrVerify, got, commit)
	}
	if err := os.RemoveAll(filepath.Join(tmp, ".git")); err != nil {
		return fmt.Errorf("cleaning the fetch directory: %w", err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", filepath.Dir(dst), err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		if exists(dst) {
			return nil
		}
		return fmt.Errorf("storing commit %s in the action cache: %w", commit, err)
	}
	return nil
}
