package resolve

import (
	"context"
	"errors"
	"fmt"
)

// Commit returns the commit uses (an action or reusable workflow
// reference) resolves to, without fetching it: the version itself when
// it is a full commit id, else what the tag or branch points to at the
// first source that has it. A Resolver resolves each tag or branch once,
// so the job later runs exactly this commit. A --local-repository
// override has no commit: "" and no error. Policies and the audit log
// use it (policy.Committer).
func (r *Resolver) Commit(ctx context.Context, uses string) (string, error) {
	ref, err := ParseRef(uses)
	if err != nil {
		return "", &Error{Uses: uses, Err: fmt.Errorf("%w: %v", ErrInvalid, err)}
	}
	for _, l := range r.local {
		if l.matches(ref, r.cfg.Sources) {
			return "", nil
		}
	}
	if ref.PinnedSHA() {
		return ref.Version, nil
	}
	var tried []string
	var lastErr error
	for _, u := range r.sourceURLs(ref) {
		tried = append(tried, u)
		e, err := r.commitFor(ctx, u, ref.Version)
		if err == nil {
			return e.Commit, nil
		}
		if ctxErr := context.Cause(ctx); ctxErr != nil {
			return "", ctxErr
		}
		lastErr = err
		if !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrNotCached) {
			break
		}
	}
	return "", &Error{Uses: uses, URLs: tried, Err: lastErr, Hint: hintFor(lastErr, ref, r.cfg.Offline)}
}
