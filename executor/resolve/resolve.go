package resolve

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"codeberg.org/anvil-ci/anvil/executor"
)

// Config is what a Resolver needs. CacheDir is required.
type Config struct {
	// Sources are base URLs (https://code.forgejo.org) where owner/repo
	// references are looked up, in order: a repository that one of them
	// does not have is looked up at the next. Empty means DefaultSource.
	// The daemon gives the task's default actions URL; anvil exec the
	// --default-actions-url flags.
	Sources []string
	// Mirror, when set, replaces every source, the servers of URL-form
	// references included: owner/repo is fetched from Mirror/owner/repo.
	// file:// URLs of a directory of repositories work too.
	Mirror string
	// Local maps references (owner/repo@ref, or https://host/owner/repo@ref
	// for one server only) to directories used as they are instead of
	// fetching, like act's --local-repository.
	Local map[string]string
	// Token authenticates (HTTP basic, as Forgejo and Gitea accept job
	// tokens) to URLs under TokenURL, and nowhere else.
	Token    string
	TokenURL string
	// CacheDir holds fetched commits and resolved refs; several processes
	// may share it.
	CacheDir string
	// Offline resolves only from Local and the cache: tags and branches
	// through the refs resolved last time online.
	Offline bool
	// Env is the environment git runs with (PATH, HOME, proxies); nil means
	// anvil's own. GIT_TERMINAL_PROMPT=0 is always added.
	Env []string
	// Git is the git program; default "git".
	Git string
	// Logf, when set, receives a line for each fetch and each fallback to
	// the cache.
	Logf func(format string, args ...any)
}

// Resolver fetches remote actions and reusable workflows into a cache
// keyed by commit. It is safe for concurrent use; one Resolver resolves
// each tag or branch once, so every job of a run uses the same commit.
type Resolver struct {
	cfg   Config
	local []localOverride
	locks keyedLocks

	mu    sync.Mutex
	calls map[string]*refCall
}

var _ executor.ActionResolver = (*Resolver)(nil)

// refCall is one resolution of a tag or branch, shared by the callers
// that ask while it runs and remembered when it succeeds.
type refCall struct {
	done  chan struct{}
	entry refEntry
	err   error
}

// New checks cfg and returns a Resolver.
func New(cfg Config) (*Resolver, error) {
	if cfg.CacheDir == "" {
		return nil, errors.New("the action resolver needs a cache directory")
	}
	abs, err := filepath.Abs(cfg.CacheDir)
	if err != nil {
		return nil, fmt.Errorf("action cache %s: %w", cfg.CacheDir, err)
	}
	cfg.CacheDir = abs
	if cfg.Git == "" {
		cfg.Git = "git"
	}
	if len(cfg.Sources) == 0 {
		cfg.Sources = []string{DefaultSource}
	}
	for i, s := range cfg.Sources {
		if cfg.Sources[i], err = normalizeBase("default actions URL", s); err != nil {
			return nil, err
		}
	}
	if cfg.Mirror != "" {
		if cfg.Mirror, err = normalizeBase("action mirror", cfg.Mirror); err != nil {
			return nil, err
		}
	}
	if cfg.TokenURL != "" {
		if cfg.TokenURL, err = normalizeBase("token URL", cfg.TokenURL); err != nil {
			return nil, err
		}
	}
	r := &Resolver{cfg: cfg, calls: map[string]*refCall{}}
	keys := make([]string, 0, len(cfg.Local))
	for k := range cfg.Local {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		l, err := parseLocal(k, cfg.Local[k])
		if err != nil {
			return nil, err
		}
		r.local = append(r.local, l)
	}
	for _, d := range []string{"commits", "refs", "locks", "tmp"} {
		if err := os.MkdirAll(filepath.Join(cfg.CacheDir, d), 0o755); err != nil {
			return nil, fmt.Errorf("creating the action cache: %w (give a writable directory with --action-cache)", err)
		}
	}
	r.cleanTmp()
	return r, nil
}

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
		return r.ensureCommit(ctx, repoURL, "", ref.Version)
	}
	e, err := r.commitFor(ctx, repoURL, ref.Version)
	if err != nil {
		return "", err
	}
	return r.ensureCommit(ctx, repoURL, e.Ref, e.Commit)
}

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

func (r *Resolver) logf(format string, args ...any) {
	if r.cfg.Logf != nil {
		r.cfg.Logf("%s", r.scrub(fmt.Sprintf(format, args...)))
	}
}
