package cmd

import (
	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/docker"
	"codeberg.org/anvil-ci/anvil/executor/resolve"
	"codeberg.org/anvil-ci/anvil/localrun"
	"codeberg.org/anvil-ci/anvil/pipeline/runopt"
)

// daemonDocker is the daemon's Docker executor for docker://IMAGE labels:
// the engine at container.docker_host (else DOCKER_HOST), connected when a
// job first needs it, with the container.* settings. close releases the
// client.
func daemonDocker(proc Process, cfg daemonConfig) (backend func(image string) (executor.Backend, error), close func()) {
	host := cfg.Container.DockerHost
	jobHost := host
	if host == "-" { // forgejo-runner: find the engine, give jobs none
		host, jobHost = "", ""
	}
	if host == "" {
		host = proc.getenv("DOCKER_HOST")
	}
	memory, _ := cfg.Container.memoryBytes() // checked when the config was loaded
	l := &lazyDocker{host: host, cfg: docker.Config{
		Network:       cfg.Container.Network,
		Privileged:    cfg.Container.Privileged,
		Options:       cfg.Container.Options,
		WorkdirParent: cfg.Container.WorkdirParent,
		ValidVolumes:  cfg.Container.ValidVolumes,
		DockerHost:    jobHost,
		ForcePull:     cfg.Container.ForcePull,
		CPUs:          cfg.Container.CPUs,
		Memory:        memory,
	}}
	return func(string) (executor.Backend, error) { return l.get() }, l.close
}

// Keys of the task's github context that name where uses: owner/repo@ref
// is fetched from: Gitea's, and Forgejo's.
var defaultActionsURLKeys = []string{"gitea_default_actions_url", "forgejo_default_actions_url"}

// daemonActions resolves a task's remote actions and reusable workflows
// from the forge's default actions URL (else the resolver's default),
// authenticating with the job token to the forge itself only, with the
// action cache shared by every task. The actions section of the config
// adds a mirror, local repositories, offline mode and the cache's place.
func daemonActions(proc Process, cfg actionsConfig) func(github map[string]any, log *logrus.Entry) (executor.ActionResolver, error) {
	cache := cfg.CacheDir
	if cache == "" {
		cache = localrun.DefaultActionCache(proc.getenv)
	}
	return func(github map[string]any, log *logrus.Entry) (executor.ActionResolver, error) {
		var sources []string
		for _, k := range defaultActionsURLKeys {
			if u, _ := github[k].(string); u != "" {
				sources = append(sources, u)
				break
			}
		}
		token, _ := github["token"].(string)
		server, _ := github["server_url"].(string)
		if server == "" {
			token = ""
		}
		local, err := cfg.local()
		if err != nil {
			return nil, err
		}
		r, err := resolve.New(resolve.Config{
			Sources:  sources,
			Mirror:   cfg.Mirror,
			Local:    local,
			CacheDir: cache,
			Offline:  cfg.Offline,
			Env:      proc.environ(),
			Token:    token,
			TokenURL: server,
			Logf:     func(format string, args ...any) { log.Infof(format, args...) },
		})
		if err != nil {
			return nil, err
		}
		return r, nil
	}
}

// policy is what the container: section allows jobs' containers, for
// checking workflows as the Docker backend (daemonDocker) applies it.
func (c containerConfig) policy() runopt.Policy {
	memory, _ := c.memoryBytes() // checked when the config was loaded
	return runopt.Policy{Privileged: c.Privileged, ValidVolumes: c.ValidVolumes, Memory: memory, CPUs: c.CPUs}
}
