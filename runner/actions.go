package runner

import (
	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/resolve"
)

// Keys of the task's github context that name where uses: owner/repo@ref
// is fetched from: Gitea's, and Forgejo's.
var defaultActionsURLKeys = []string{"gitea_default_actions_url", "forgejo_default_actions_url"}

// TaskActions returns a Config.Actions that resolves each task's remote
// actions and reusable workflows as base says (mirror, local
// repositories, offline mode, the cache shared by every task), from the
// forge's default actions URL in the task's github context (else
// base.Sources), authenticating with the job token to the forge itself
// only, and logging its fetches to the task's log.
func TaskActions(base resolve.Config) func(github map[string]any, log *logrus.Entry) (executor.ActionResolver, error) {
	return func(github map[string]any, log *logrus.Entry) (executor.ActionResolver, error) {
		cfg := base
		for _, k := range defaultActionsURLKeys {
			if u, _ := github[k].(string); u != "" {
				cfg.Sources = []string{u}
				break
			}
		}
		cfg.Token, _ = github["token"].(string)
		cfg.TokenURL, _ = github["server_url"].(string)
		if cfg.TokenURL == "" {
			cfg.Token = ""
		}
		cfg.Logf = func(format string, args ...any) { log.Infof(format, args...) }
		r, err := resolve.New(cfg)
		if err != nil {
			return nil, err
		}
		return r, nil
	}
}
