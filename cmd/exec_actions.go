package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/spf13/pflag"

	"codeberg.org/anvil-ci/anvil/executor/resolve"
)

// actionFlags are the flags of anvil exec about remote actions and
// reusable workflows.
type actionFlags struct {
	sources []string
	mirror  string
	local   []string
	offline bool
	cache   string
}

func (a *actionFlags) bind(fs *pflag.FlagSet) {
	fs.StringArrayVar(&a.sources, "default-actions-url", nil, "where uses: owner/repo@ref is fetched from, tried in order (repeatable; default: the origin remote's forge, then "+resolve.DefaultSource+")")
	fs.StringVar(&a.mirror, "action-mirror", "", "fetch every remote action and reusable workflow from URL/owner/repo instead (http(s) or file://)")
	fs.StringArrayVar(&a.local, "local-repository", nil, "use DIR for owner/repo@ref (or https://host/owner/repo@ref), as owner/repo@ref=DIR (repeatable)")
	fs.BoolVar(&a.offline, "offline", false, "resolve remote actions only from the action cache and --local-repository")
	fs.StringVar(&a.cache, "action-cache", "", "the action cache directory (default: $XDG_CACHE_HOME/anvil/actions or ~/.cache/anvil/actions)")
}

// resolver builds the resolver of remote actions for a run. origin is the
// server URL of the repository's origin remote, "" when it is not an
// http(s) forge.
func (a *actionFlags) resolver(proc Process, origin string) (*resolve.Resolver, error) {
	sources := a.sources
	if len(sources) == 0 {
		sources = defaultActionSources(origin)
	}
	local := map[string]string{}
	for _, l := range a.local {
		key, dir, ok := strings.Cut(l, "=")
		if !ok || key == "" || dir == "" {
			return nil, usageErrorf("--local-repository %q: write it as owner/repo@ref=DIR", l)
		}
		local[key] = dir
	}
	cache := a.cache
	if cache == "" {
		cache = defaultActionCache(proc)
	}
	var mu sync.Mutex // jobs resolve concurrently
	r, err := resolve.New(resolve.Config{
		Sources:  sources,
		Mirror:   a.mirror,
		Local:    local,
		CacheDir: cache,
		Offline:  a.offline,
		Env:      proc.environ(),
		Logf: func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(proc.Stderr, "anvil: "+format+"\n", args...)
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

// defaultActionCache is $XDG_CACHE_HOME/anvil/actions, else
// $HOME/.cache/anvil/actions, else a directory under the system's
// temporary directory.
func defaultActionCache(proc Process) string {
	if x := proc.getenv("XDG_CACHE_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "anvil", "actions")
	}
	if h := proc.getenv("HOME"); filepath.IsAbs(h) {
		return filepath.Join(h, ".cache", "anvil", "actions")
	}
	return filepath.Join(os.TempDir(), "anvil-actions")
}
