package cmd

import (
	"fmt"
	"net/url"
	"strings"

	"codeberg.org/anvil-ci/anvil/executor/resolve"
)

// actionsConfig is Anvil's own actions: section (forgejo-runner has no
// such keys): where the daemon's remote actions and reusable workflows
// come from, as anvil exec's --action-mirror, --local-repository,
// --offline and --action-cache.
type actionsConfig struct {
	// Mirror replaces every source, the task's default actions URL
	// included: owner/repo is fetched from MIRROR/owner/repo.
	Mirror string `yaml:"mirror"`
	// LocalRepositories are owner/repo@ref=DIR entries used as they are.
	LocalRepositories []string `yaml:"local_repositories"`
	// Offline resolves only from the cache and LocalRepositories.
	Offline bool `yaml:"offline"`
	// CacheDir is the action cache; empty: $XDG_CACHE_HOME/anvil/actions
	// or ~/.cache/anvil/actions.
	CacheDir string `yaml:"cache_dir"`
}

// check reports values of the actions section that cannot work, so that
// the daemon refuses them at start rather than failing every task.
func (a actionsConfig) check() []string {
	var probs []string
	if a.Mirror != "" {
		u, err := url.Parse(a.Mirror)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file") || (u.Scheme != "file" && u.Host == ""):
			probs = append(probs, fmt.Sprintf("actions.mirror %q is not an http(s) or file:// URL: write it like https://git.example/mirrors", a.Mirror))
		case u.User != nil:
			probs = append(probs, "actions.mirror contains credentials: remove them (git's credential helpers and url.<base>.insteadOf apply)")
		}
	}
	if _, err := a.local(); err != nil {
		probs = append(probs, err.Error())
	}
	return probs
}

// local returns local_repositories as resolve.Config.Local: reference to
// directory.
func (a actionsConfig) local() (map[string]string, error) {
	local := make(map[string]string, len(a.LocalRepositories))
	for _, l := range a.LocalRepositories {
		key, dir, ok := strings.Cut(l, "=")
		if !ok || key == "" || dir == "" {
			return nil, fmt.Errorf("actions.local_repositories entry %q: write it as owner/repo@ref=DIR", l)
		}
		ref, err := resolve.ParseRef(key)
		if err != nil {
			return nil, fmt.Errorf("actions.local_repositories entry %q: %w", l, err)
		}
		if ref.Path != "" {
			return nil, fmt.Errorf("actions.local_repositories entry %q names a path inside the repository: give only owner/repo@ref=DIR", l)
		}
		local[key] = dir
	}
	return local, nil
}
