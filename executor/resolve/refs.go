package resolve

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// commitFor resolves a tag or branch at repoURL once per Resolver.
func (r *Resolver) commitFor(ctx context.Context, repoURL, version string) (refEntry, error) {
	key := repoURL + "@" + version
	r.mu.Lock()
	c, ok := r.calls[key]
	if !ok {
		c = &refCall{done: make(chan struct{})}
		r.calls[key] = c
	}
	r.mu.Unlock()
	if ok {
		select {
		case <-c.done:
			return c.entry, c.err
		case <-ctx.Done():
			return refEntry{}, context.Cause(ctx)
		}
	}
	c.entry, c.err = r.lookupRef(ctx, repoURL, version)
	if c.err != nil {
		r.mu.Lock()
		delete(r.calls, key)
		r.mu.Unlock()
	}
	close(c.done)
	return c.entry, c.err
}

// lookupRef asks the source what version points to, and remembers the
// answer for offline runs. Offline, or when the source cannot be reached,
// the last answer is used.
func (r *Resolver) lookupRef(ctx context.Context, repoURL, version string) (refEntry, error) {
	cached, haveCached := r.cachedRef(repoURL, version)
	if r.cfg.Offline {
		if !haveCached {
			return refEntry{}, fmt.Errorf("%w: %s was never resolved at this source", ErrNotCached, version)
		}
		return cached, nil
	}
	e, err := r.lsRemote(ctx, repoURL, version)
	if errors.Is(err, ErrUnreachable) && haveCached && exists(r.commitDir(cached.Commit)) {
		r.logf("%s is unreachable; using commit %s for %s, resolved %s", repoURL, cached.Commit, version, cached.Resolved.Format("2006-01-02 15:04"))
		return cached, nil
	}
	if err != nil {
		return refEntry{}, err
	}
	if err := r.saveRef(ctx, repoURL, version, e); err != nil {
		r.logf("not remembering %s of %s for offline runs: %v", version, repoURL, err)
	}
	return e, nil
}

// lsRemote resolves version at repoURL with git ls-remote. A tag wins
// over a branch of the same name, as on GitHub; annotated tags resolve to
// their commit.
func (r *Resolver) lsRemote(ctx context.Context, repoURL, version string) (refEntry, error) {
	var tag, branch string
	if strings.HasPrefix(version, "refs/") {
		tag = version
	} else {
		tag, branch = "refs/tags/"+version, "refs/heads/"+version
	}
	args := []string{"ls-remote", repoURL, tag, tag + "^{}"}
	if branch != "" {
		args = append(args, branch)
	}
	// git runs in the cache, away from any repository's configuration;
	// on a fresh machine nothing has created it yet.
	if err := os.MkdirAll(r.cfg.CacheDir, 0o755); err != nil {
		return refEntry{}, fmt.Errorf("creating the action cache: %w", err)
	}
	out, err := r.runGit(ctx, r.cfg.CacheDir, repoURL, args...)
	if err != nil {
		return refEntry{}, classify(err)
	}
	refs := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		sha, name, ok := strings.Cut(sc.Text(), "\t")
		if ok && isFullSHA(sha) {
			refs[name] = sha
		}
	}
	now := time.Now().UTC()
	for _, cand := range []struct{ key, name string }{{tag + "^{}", tag}, {tag, tag}, {branch, branch}} {
		if sha, ok := refs[cand.key]; ok && cand.key != "" {
			return refEntry{Commit: sha, Ref: cand.name, Resolved: now}, nil
		}
	}
	if isShortSHA(version) {
		return refEntry{}, fmt.Errorf("%w: %s looks like an abbreviated commit id, which cannot be fetched: pin the full 40-character SHA", ErrInvalid, version)
	}
	return refEntry{}, fmt.Errorf("%w: no tag or branch %q", ErrNotFound, version)
}
