package docker

import (
	"errors"

	"codeberg.org/anvil-ci/anvil/pipeline/runopt"
)

// ErrImageUnavailable is returned when an image is neither present in the
// Docker engine nor pullable (no registry reachable, unknown name, denied).
var ErrImageUnavailable = errors.New("image not available")

// ErrUnhealthy is returned by Prepare when a service container does not
// become healthy (or exits) within Config.HealthTimeout.
var ErrUnhealthy = errors.New("service not healthy")

// ErrNotAllowed is returned for a job that asks for something the runner's
// Config forbids: a host path outside ValidVolumes, --privileged, ...
var ErrNotAllowed = runopt.ErrNotAllowed

// ErrBadOptions is returned for a container or service options string
// that cannot be parsed or uses an unsupported docker run flag.
var ErrBadOptions = runopt.ErrBadOptions

// ErrProgramNotFound is returned by Exec when the program is not in the
// PATH of the command's environment inside the container.
var ErrProgramNotFound = errors.New("program not found")

// ErrClosed is returned by Exec and RunContainerAction after Close.
var ErrClosed = errors.New("environment is closed")
