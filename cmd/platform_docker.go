package cmd

import (
	"time"

	"github.com/spf13/pflag"

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

// execDocker returns the Docker backend of anvil exec: the engine at
// DOCKER_HOST (or the default socket), connected when a job first needs
// it, with the grace period and --pull.
func execDocker(proc Process, grace time.Duration, flags dockerFlags) *docker.Lazy {
	return docker.NewLazy(proc.getenv("DOCKER_HOST"), docker.Config{Grace: grace, ForcePull: flags.pull})
}
