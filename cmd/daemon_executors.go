package cmd

import (
	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/docker"
	"codeberg.org/anvil-ci/anvil/executor/resolve"
	"codeberg.org/anvil-ci/anvil/localrun"
	"codeberg.org/anvil-ci/anvil/pipeline/runopt"
	"codeberg.org/anvil-ci/anvil/runner"
)

// daemonDocker is the daemon's Docker executor for docker://IMAGE labels:
// the engine at container.docker_host (else DOCKER_HOST), connected when a
// job first needs it, with the container.* settings.
func daemonDocker(proc Process, cfg daemonConfig) *docker.Lazy {
	host := cfg.Container.DockerHost
	jobHost := host
	if host == "-" { // forgejo-runner: find the engine, give jobs none
		host, jobHost = "", ""
	}
	if host == "" {
		host = proc.getenv("DOCKER_HOST")
	}
	memory, _ := cfg.Container.memoryBytes() // checked when the config was loaded
	return docker.NewLazy(host, docker.Config{
		Network:       cfg.Container.Network,
		Privileged:    cfg.Container.Privileged,
		Options:       cfg.Container.Options,
		WorkdirParent: cfg.Container.WorkdirParent,
		ValidVolumes:  cfg.Container.ValidVolumes,
		DockerHost:    jobHost,
		ForcePull:     cfg.Container.ForcePull,
		CPUs:          cfg.Container.CPUs,
		Memory:        memory,
	})
}

// daemonActions resolves a task's remote actions and reusable workflows
// as runner.TaskActions does, with the actions section of the config: a
// mirror, local repositories, offline mode and the cache's place.
func daemonActions(proc Process, cfg actionsConfig) func(github map[string]any, log *logrus.Entry) (executor.ActionResolver, error) {
	cache := cfg.CacheDir
	if cache == "" {
		cache = localrun.DefaultActionCache(proc.getenv)
	}
	local, _ := cfg.local() // checked when the config was loaded
	return runner.TaskActions(resolve.Config{
		Mirror:   cfg.Mirror,
		Local:    local,
		CacheDir: cache,
		Offline:  cfg.Offline,
		Env:      proc.environ(),
	})
}

// policy is what the container: section allows jobs' containers, for
// checking workflows as the Docker backend (daemonDocker) applies it.
func (c containerConfig) policy() runopt.Policy {
	memory, _ := c.memoryBytes() // checked when the config was loaded
	return runopt.Policy{Privileged: c.Privileged, ValidVolumes: c.ValidVolumes, Memory: memory, CPUs: c.CPUs}
}
