package localrun

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"codeberg.org/anvil-ci/anvil/executor/resolve"
)

// ActionOptions are the flags of anvil exec about remote actions and
// reusable workflows.
type ActionOptions struct {
	// Sources are --default-actions-url: where owner/repo@ref is fetched
	// from, tried in order.
	Sources []string
	// Mirror is --action-mirror.
	Mirror string
	// Local are --local-repository: owner/repo@ref=DIR.
	Local []string
	// Offline is --offline.
	Offline bool
	// Cache is --action-cache ("" for the default).
	Cache string
}

// Resolver builds the resolver of remote actions for a run. origin is the
// server URL of the repository's origin remote, "" when it is not an
// http(s) forge; env is anvil's environment; what the resolver does is
// logged to stderr.
func (a ActionOptions) Resolver(origin string, env []string, getenv func(string) string, stderr io.Writer) (*resolve.Resolver, error) {
	sources := a.Sources
	if len(sources) == 0 {
		sources = defaultActionSources(origin)
	}
	local := map[string]string{}
	for _, l := range a.Local {
		key, dir, ok := strings.Cut(l, "=")
		if !ok || key == "" || dir == "" {
			return nil, usageErrorf("--local-repository %q: write it as owner/repo@ref=DIR", l)
		}
		local[key] = dir
	}
	cache := a.Cache
	if cache == "" {
		cache = DefaultActionCache(getenv)
	}
	var mu sync.Mutex // jobs resolve concurrently
	r, err := resolve.New(resolve.Config{
		Sources:  sources,
		Mirror:   a.Mirror,
		Local:    local,
		CacheDir: cache,
		Offline:  a.Offline,
		Env:      env,
		Logf: func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(stderr, "anvil: "+format+"\n", args...)
		},
	})
	if err != nil {
		return nil, usageError(err)
	}
	return r, nil
}

// defaultActionSources are the origin remote's forge, where a forge's
// own actions live, then GitHub, where most actions live.
func defaultActionSources(origin string) []string {
	if origin == "" || strings.EqualFold(origin, resolve.DefaultSource) {
		return []string{resolve.DefaultSource}
	}
	return []string{origin, resolve.DefaultSource}
}

// DefaultActionCache is $XDG_CACHE_HOME/anvil/actions, else
// $HOME/.cache/anvil/actions, else a directory under the system's
// temporary directory.
func DefaultActionCache(getenv func(string) string) string {
	if x := getenv("XDG_CACHE_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "anvil", "actions")
	}
	if h := getenv("HOME"); filepath.IsAbs(h) {
		return filepath.Join(h, ".cache", "anvil", "actions")
	}
	return filepath.Join(os.TempDir(), "anvil-actions")
}
