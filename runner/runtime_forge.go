package runner

import (
	"strings"

	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/cache"
	"codeberg.org/anvil-ci/anvil/executor"
)

// Keys of the task's github context that hold the runtime token of the
// artifact (and forge cache) APIs: Gitea's, then Forgejo's; older forges
// give only the job token.
var runtimeTokenKeys = []string{"gitea_runtime_token", "forgejo_runtime_token", "token"}

// ForgeRuntime returns a Config.Runtime that gives the jobs of a task what
// Gitea's and Forgejo's runners give them to reach the artifact and cache
// services: the forge's artifact APIs at address (the registered instance
// URL) with the task's runtime token, and the runner's cache with a
// credential of the task's repository and refs (jobs nil: no cache).
// version is the runner's.
func ForgeRuntime(address, version string, jobs *cache.Jobs, log *logrus.Entry) func(github map[string]any) (executor.Runtime, error) {
	instance := strings.TrimRight(address, "/")
	return func(github map[string]any) (executor.Runtime, error) {
		token := ""
		for _, k := range runtimeTokenKeys {
			if token, _ = github[k].(string); token != "" {
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
		if jobs == nil {
			return rt, nil
		}
		creds, err := jobs.Credentials(cache.ScopeOf(github))
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
