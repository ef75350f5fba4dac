package docker

import (
	"fmt"
	"os"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
)

// Defaults for the zero values of Config.
const (
	defaultGrace         = 10 * time.Second
	defaultHealthTimeout = 3 * time.Minute
)

// Config tunes the Docker backend. The zero value is usable and safe:
// no privileged containers, no Docker socket in jobs, no host paths.
type Config struct {
	// Grace is how long a cancelled step's processes (or a docker action's
	// container) get between SIGINT and SIGKILL, and how long services get
	// to stop at the end of the job. Default 10s.
	Grace time.Duration
	// ForcePull pulls every image before use (anvil exec --pull), even
	// when the engine has it. By default a local image is used as is and
	// only a missing one is pulled.
	ForcePull bool
	// WorkdirParent is where workspaces go in the containers
	// (container.workdir_parent): the workspace is WorkdirParent/owner/repo.
	// Default /workspace.
	WorkdirParent string
	// ValidVolumes are the host paths and volume names jobs may mount
	// (container.valid_volumes), as glob patterns: * matches within one
	// path segment, ** across segments. Host paths not matched are
	// refused; volume names not matched get a volume of their own for the
	// job, removed after it.
	ValidVolumes []string
	// DockerHost gives jobs a Docker engine (container.docker_host): a
	// unix:// socket is mounted at /var/run/docker.sock, any other address
	// is passed as DOCKER_HOST. Empty: jobs get no Docker access.
	DockerHost string
	// Privileged runs job, service and action containers privileged
	// (container.privileged, for Docker in Docker) and lets options: ask
	// for --privileged and --cap-add. Default: neither.
	Privileged bool
	// Options are docker run flags the runner's admin adds to every job
	// container (container.options), before the job's own options:. They
	// take the same flags as options: (see the README, section on the options: flags).
	Options string
	// Network is an existing Docker network for the job and service
	// containers (container.network). Empty: each job with services gets
	// a network of its own; a job without services uses Docker's default.
	Network string
	// CPUs and Memory (bytes) limit every container of a job; options: may
	// ask for less, not more. Zero means no limit.
	CPUs   float64
	Memory int64
	// HealthTimeout bounds the wait for services to become healthy before
	// the first step. Default 3m.
	HealthTimeout time.Duration
	// Labels are added to every container, network and volume (the daemon
	// puts the task id here), on top of the job spec's labels.
	Labels map[string]string
	// Owner identifies this process on the resources it creates so that
	// Cleanup leaves a live process's containers alone. Default
	// "HOSTNAME/PID".
	Owner string
}

// withDefaults fills the zero values.
func (c Config) withDefaults() Config {
	if c.Grace <= 0 {
		c.Grace = defaultGrace
	}
	if c.HealthTimeout <= 0 {
		c.HealthTimeout = defaultHealthTimeout
	}
	if c.WorkdirParent == "" {
		c.WorkdirParent = DefaultWorkdirParent
	}
	if c.Owner == "" {
		c.Owner = defaultOwner()
	}
	return c
}

// defaultOwner names this process: host name and pid.
func defaultOwner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}

// Backend runs jobs in containers of one Docker engine.
type Backend struct {
	cli      Client
	cfg      Config
	programs programCache
}

var _ executor.Backend = (*Backend)(nil)

// New returns a Backend using cli (see NewClient) with cfg.
func New(cli Client, cfg Config) *Backend {
	return &Backend{cli: cli, cfg: cfg.withDefaults()}
}
