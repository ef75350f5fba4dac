package cmd

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/docker/docker/client"
	"github.com/spf13/pflag"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/docker"
)

// dockerFlags are anvil exec's flags for jobs in containers.
type dockerFlags struct {
	pull bool
}

// bind registers the flags on fs.
func (d *dockerFlags) bind(fs *pflag.FlagSet) {
	fs.BoolVar(&d.pull, "pull", false, "pull the images of docker:// platforms, job containers, services and docker actions even when they are present locally")
}

// dockerPingTimeout bounds the first contact with the Docker engine.
const dockerPingTimeout = 10 * time.Second

// lazyDocker connects to the Docker engine the first time a job needs it,
// so that runs without containers never touch Docker.
type lazyDocker struct {
	host string
	cfg  docker.Config

	once    sync.Once
	cli     *client.Client
	backend *docker.Backend
	err     error
}

// newLazyDocker returns the Docker backend of anvil exec: the engine at
// DOCKER_HOST (or the default socket), with the grace period and --pull.
func newLazyDocker(proc Process, grace time.Duration, flags dockerFlags) *lazyDocker {
	return &lazyDocker{
		host: proc.getenv("DOCKER_HOST"),
		cfg:  docker.Config{Grace: grace, ForcePull: flags.pull},
	}
}

// get connects on first use and returns the backend.
func (l *lazyDocker) get() (executor.Backend, error) {
	l.once.Do(func() {
		cli, err := docker.NewClient(l.host)
		if err != nil {
			l.err = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), dockerPingTimeout)
		defer cancel()
		if _, err := cli.Ping(ctx); err != nil {
			cli.Close()
			host := l.host
			if host == "" {
				host = docker.DefaultHost
			}
			l.err = fmt.Errorf("no Docker engine reachable at %s: %w; start Docker, set DOCKER_HOST, or map the label to host", host, err)
			return
		}
		l.cli, l.backend = cli, docker.New(cli, l.cfg)
	})
	if l.err != nil {
		return nil, l.err
	}
	return l.backend, nil
}

// close closes the client if there is one.
func (l *lazyDocker) close() {
	if l.cli != nil {
		l.cli.Close()
	}
}
