package resolve

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"sync"

	"codeberg.org/anvil-ci/anvil/executor"
)

// Config is what a Resolver needs. CacheDir is required.
type Config struct {
	// Sources are base URLs (https://code.forgejo.org) where owner/repo
	// references are looked up, in order: a repository, tag, branch or
	// commit that one of them does not have is looked up at the next.
	// Empty means DefaultSource.
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
	// The cache's directories are created when first needed.
	r.cleanTmp()
	return r, nil
}

func (r *Resolver) logf(format string, args ...any) {
	if r.cfg.Logf != nil {
		r.cfg.Logf("%s", r.scrub(fmt.Sprintf(format, args...)))
	}
}
