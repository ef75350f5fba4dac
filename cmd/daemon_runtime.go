package cmd

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/cache"
	"codeberg.org/anvil-ci/anvil/executor"
)

// Keys of the task's github context that hold the runtime token of the
// artifact (and forge cache) APIs: Gitea's, then Forgejo's.
var runtimeTokenKeys = []string{"gitea_runtime_token", "forgejo_runtime_token"}

// daemonRuntime returns what the jobs of a task get to reach the
// artifact and cache services, as Gitea's and Forgejo's runners give it:
// the forge's artifact APIs at address (the registered instance URL) with
// the task's runtime token, and the runner's cache with a credential of
// the task's repository and refs (jc nil: no cache). version is the
// runner's.
func daemonRuntime(address, version string, jc *jobCache, log *logrus.Entry) func(github map[string]any) (executor.Runtime, error) {
	instance := strings.TrimRight(address, "/")
	return func(github map[string]any) (executor.Runtime, error) {
		token := ""
		for _, k := range append(runtimeTokenKeys, "token") { // older forges: the job token
			if token = str(github[k]); token != "" {
				break
			}
		}
		rt := executor.Runtime{
			Env: map[string]string{
				"ACTIONS_RUNTIME_URL":            instance + "/api/actions_pipeline/",
				"ACTIONS_RESULTS_URL":            instance,
				"ACTIONS_RUNTIME_TOKEN":          token,
				"GITEA_ACTIONS_RUNNER_VERSION":   version,
				"FORGEJO_ACTIONS_RUNNER_VERSION": version,
			},
			Credentials: []string{token},
		}
		if jc == nil {
			return rt, nil
		}
		creds, err := jc.credentials(cacheScope(github))
		if err != nil {
			// A task without repository or ref runs without a cache:
			// actions/cache warns and goes on, as without a server.
			log.WithError(err).Warn("the job gets no cache")
			return rt, nil
		}
		rt.Env["ACTIONS_CACHE_URL"] = creds.CacheURL
		rt.Credentials = append(rt.Credentials, creds.Token)
		return rt, nil
	}
}

// cacheScope is what the jobs of a run (a forge task, an anvil exec run)
// may reach of the cache, from their github context: their repository's
// entries of their ref (read and write), of a pull request's base branch
// and of the default branch (read).
func cacheScope(github map[string]any) cache.Scope {
	event, _ := github["event"].(map[string]any)
	repo, _ := event["repository"].(map[string]any)
	return cache.Scope{
		Repository:    str(github["repository"]),
		Ref:           str(github["ref"]),
		BaseRef:       str(github["base_ref"]),
		DefaultBranch: str(repo["default_branch"]),
	}
}

// str returns v when it is a string, else "".
func str(v any) string {
	s, _ := v.(string)
	return s
}

// daemonCache starts the cache the daemon's jobs reach, as the cache:
// section says (nil when it is disabled), and logs where it is.
func daemonCache(ctx context.Context, proc Process, cfg daemonConfig, labels []string, observer cache.Observer, log *logrus.Logger) (*jobCache, error) {
	jc, err := startJobCache(ctx, cfg.Cache, jobCacheOptions{
		defaultDir: filepath.Join(defaultWorkdirParent(proc), "cache"),
		containers: usesDocker(labels),
		errorLog:   func(err error) { log.WithError(err).Warn("cache server") },
		observer:   observer,
	})
	switch {
	case errors.Is(err, errCacheDirInUse):
		return nil, fmt.Errorf("%w: give each runner its own cache.dir, or share one anvil cache-server through cache.external_server", err)
	case err != nil:
		return nil, fmt.Errorf("starting the cache server (cache: section): %w", err)
	case jc == nil:
		log.Info("the cache is disabled (cache.enabled: false): actions/cache finds no server")
	case jc.dir == "":
		log.WithField("url", jc.base).Info("jobs use the shared cache server")
	default:
		log.WithFields(logrus.Fields{"listen": jc.listen, "url": jc.base, "dir": jc.dir}).Info("cache server started")
	}
	return jc, nil
}
