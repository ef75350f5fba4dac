package resolve

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ResolveAction returns the directory of the action uses names
// (owner/repo[/path]@ref or https://host/owner/repo[/path]@ref): the
// directory that holds its action.yml.
func (r *Resolver) ResolveAction(ctx context.Context, uses string) (string, error) {
	ref, root, err := r.resolve(ctx, uses)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, filepath.FromSlash(ref.Path))
	for _, name := range []string{"action.yml", "action.yaml"} {
		if exists(filepath.Join(dir, name)) {
			return dir, nil
		}
	}
	where := "the repository's root"
	if ref.Path != "" {
		where = ref.Path
	}
	return "", &Error{Uses: uses, Err: fmt.Errorf("%w: no action.yml or action.yaml in %s", ErrInvalid, where),
		Hint: "check the path after owner/repo and the version"}
}

// ResolveWorkflow returns the file of the reusable workflow uses names
// (owner/repo/.forgejo/workflows/x.yml@ref, or its https:// form).
func (r *Resolver) ResolveWorkflow(ctx context.Context, uses string) (string, error) {
	ref, err := ParseRef(uses)
	if err != nil {
		return "", &Error{Uses: uses, Err: fmt.Errorf("%w: %v", ErrInvalid, err)}
	}
	if !strings.HasSuffix(ref.Path, ".yml") && !strings.HasSuffix(ref.Path, ".yaml") {
		return "", &Error{Uses: uses, Err: fmt.Errorf("%w: it does not name a workflow file", ErrInvalid),
			Hint: "write owner/repo/.forgejo/workflows/NAME.yml@ref"}
	}
	_, root, err := r.resolve(ctx, uses)
	if err != nil {
		return "", err
	}
	file := filepath.Join(root, filepath.FromSlash(ref.Path))
	if st, err := os.Stat(file); err != nil || !st.Mode().IsRegular() {
		return "", &Error{Uses: uses, Err: fmt.Errorf("%w: no file %s in the repository", ErrNotFound, ref.Path),
			Hint: "check the path and the version"}
	}
	return file, nil
}

// resolve finds the tree of the repository uses points into.
func (r *Resolver) resolve(ctx context.Context, uses string) (Ref, string, error) {
	ref, err := ParseRef(uses)
	if err != nil {
		return Ref{}, "", &Error{Uses: uses, Err: fmt.Errorf("%w: %v", ErrInvalid, err)}
	}
	for _, l := range r.local {
		if l.matches(ref, r.cfg.Sources) {
			if st, err := os.Stat(l.dir); err != nil || !st.IsDir() {
				return ref, "", &Error{Uses: uses, Err: fmt.Errorf("%w: the local repository %s for %s@%s is not a directory", ErrInvalid, l.dir, ref.Repository(), ref.Version),
					Hint: "fix --local-repository"}
			}
			return ref, l.dir, nil
		}
	}
	var tried []string
	var lastErr error
	for _, u := range r.sourceURLs(ref) {
		tried = append(tried, u)
		dir, err := r.resolveAt(ctx, ref, u)
		if err == nil {
			return ref, dir, nil
		}
		if ctxErr := context.Cause(ctx); ctxErr != nil {
			return ref, "", ctxErr
		}
		lastErr = err
		if !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrNotCached) {
			break
		}
	}
	return ref, "", &Error{Uses: uses, URLs: tried, Err: lastErr, Hint: hintFor(lastErr, ref, r.cfg.Offline)}
}

// resolveAt resolves ref at one source repository URL.
func (r *Resolver) resolveAt(ctx context.Context, ref Ref, repoURL string) (string, error) {
	if ref.PinnedSHA() {
		return r.ensureCommit(ctx, ref, repoURL, "", ref.Version)
	}
	e, err := r.commitFor(ctx, repoURL, ref.Version)
	if err != nil {
		return "", err
	}
	return r.ensureCommit(ctx, ref, repoURL, e.Ref, e.Commit)
}
