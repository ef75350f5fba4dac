package resolve

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// The cache directory holds:
//
//	commits/<commit>/     the tree of a fetched commit, without .git; shared
//	                      by every repository and source that has the commit
//	refs/<host>/<path>.json  tags and branches resolved at that source, for
//	                      --offline and for when the source is unreachable
//	locks/<name>.lock     file locks other anvil processes take too
//	tmp/                  fetches in progress, renamed into commits/ when done

// refEntry is what a tag or branch pointed to when it was last resolved.
type refEntry struct {
	// Commit is the commit id, Ref the full ref name (refs/tags/v1).
	Commit   string    `json:"commit"`
	Ref      string    `json:"ref"`
	Resolved time.Time `json:"resolved"`
}

// refMap is the file of one source repository's resolved refs.
type refMap struct {
	URL  string              `json:"url"`
	Refs map[string]refEntry `json:"refs"`
}

func (r *Resolver) commitDir(commit string) string {
	return filepath.Join(r.cfg.CacheDir, "commits", commit)
}

func (r *Resolver) refMapPath(repoURL string) string {
	return filepath.Join(r.cfg.CacheDir, "refs", cacheKey(repoURL)+".json")
}

// cachedRef looks version up in the ref map of repoURL.
func (r *Resolver) cachedRef(repoURL, version string) (refEntry, bool) {
	data, err := os.ReadFile(r.refMapPath(repoURL))
	if err != nil {
		return refEntry{}, false
	}
	var m refMap
	if json.Unmarshal(data, &m) != nil {
		return refEntry{}, false
	}
	e, ok := m.Refs[version]
	return e, ok && isFullSHA(e.Commit)
}

// saveRef records version -> e in the ref map of repoURL, under a lock and
// with an atomic rename so that readers never see half a file.
func (r *Resolver) saveRef(ctx context.Context, repoURL, version string, e refEntry) error {
	sum := sha256.Sum256([]byte(cacheKey(repoURL)))
	unlock, err := r.lockKey(ctx, "refs-"+hex.EncodeToString(sum[:8]))
	if err != nil {
		return err
	}
	defer unlock()
	path := r.refMapPath(repoURL)
	m := refMap{URL: repoURL, Refs: map[string]refEntry{}}
	if data, err := os.ReadFile(path); err == nil {
		var old refMap
		if json.Unmarshal(data, &old) == nil && old.Refs != nil {
			m.Refs = old.Refs
		}
	}
	m.Refs[version] = e
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("writing the ref cache: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".refs-*")
	if err != nil {
		return fmt.Errorf("writing the ref cache: %w", err)
	}
	_, werr := tmp.Write(append(data, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing the ref cache: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing the ref cache: %w", err)
	}
	return nil
}

// exists reports whether path exists.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// ensureCommit returns the directory of commit's tree, fetching it from
// repoURL once: concurrent callers, in this process or another one
// sharing the cache, wait for the first and use its result. refName, when
// known, is the tag or branch that pointed to commit, for servers that
// refuse fetching by id.
func (r *Resolver) ensureCommit(ctx context.Context, ref Ref, repoURL, refName, commit string) (string, error) {
	dir := r.commitDir(commit)
	if exists(dir) {
		return dir, nil
	}
	if r.cfg.Offline {
		return "", fmt.Errorf("%w: commit %s was never fetched into %s", ErrNotCached, commit, r.cfg.CacheDir)
	}
	unlock, err := r.lockKey(ctx, commit)
	if err != nil {
		return "", err
	}
	defer unlock()
	if exists(dir) {
		return dir, nil
	}
	start := time.Now()
	if err := r.download(ctx, repoURL, refName, commit, dir); err != nil {
		return "", err
	}
	r.logf("fetched %s@%s (commit %s) from %s in %s", ref.Repository(), ref.Version, commit, repoURL, time.Since(start).Round(time.Millisecond))
	return dir, nil
}

// cleanTmp removes fetches that a crashed process left behind.
func (r *Resolver) cleanTmp() {
	tmp := filepath.Join(r.cfg.CacheDir, "tmp")
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
			os.RemoveAll(filepath.Join(tmp, e.Name()))
		}
	}
}
