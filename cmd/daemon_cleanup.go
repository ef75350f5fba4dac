package cmd

import (
	"context"

	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/executor/docker"
	"codeberg.org/anvil-ci/anvil/forge"
)

// usesDocker reports whether any label runs jobs in containers.
func usesDocker(labels []string) bool {
	for _, l := range labels {
		if lb, err := forge.ParseLabel(l); err == nil && lb.Schema == "docker" {
			return true
		}
	}
	return false
}

// cleanDocker removes what a crashed or killed anvil left behind
// (docker.CleanupHost). A Docker engine that cannot be reached is only a
// warning here: the jobs that need it will fail with the reason.
func cleanDocker(ctx context.Context, proc Process, cfg daemonConfig, log *logrus.Logger) {
	host := cfg.Container.DockerHost
	if host == "" || host == "-" {
		host = proc.getenv("DOCKER_HOST")
	}
	removed, err := docker.CleanupHost(ctx, host)
	if err != nil {
		log.WithError(err).Warn("cannot clean up leftovers of earlier runs")
		return
	}
	if removed.Containers+removed.Networks+removed.Volumes > 0 {
		log.WithFields(logrus.Fields{"containers": removed.Containers, "networks": removed.Networks, "volumes": removed.Volumes}).
			Info("removed what earlier runs left behind")
	}
}
