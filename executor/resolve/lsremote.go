package resolve

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"time"
)

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
