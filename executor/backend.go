package executor

import (
	"context"
	"io"
)

// Backend prepares an isolated environment for one job.
//
// Lifecycle: Prepare once per job, then any number of Exec calls on the
// returned Environment (never concurrently for one job), then Close. A
// Prepare that fails releases what it created itself and returns no
// Environment, so there is nothing to Close.
type Backend interface {
	// Prepare creates the job's environment. ctx bounds the preparation only.
	Prepare(ctx context.Context, spec JobSpec) (Environment, error)
}

// Environment is where a job's processes run.
type Environment interface {
	// Exec runs one command to completion with stdout and stderr merged into
	// out. A non-zero exit is reported through the exit code with a nil error;
	// err is for failures to start or to wait. When ctx is cancelled the whole
	// process tree gets an interrupt, then a kill after the grace period, and
	// Exec returns once it is gone.
	Exec(ctx context.Context, cmd Command, out io.Writer) (exitCode int, err error)
	// Path maps a path on the machine running anvil (under JobSpec.Root) to
	// the same file as the job's processes see it.
	Path(hostPath string) string
	// Close releases everything Prepare created. It is idempotent: a
	// second call does nothing and returns nil.
	Close(ctx context.Context) error
}

// JobSpec describes the environment a job needs.
type JobSpec struct {
	// JobID is a unique, filesystem-safe name for this job run.
	JobID string
	// Repository is the github.repository the job runs for (owner/name);
	// container backends place the workspace by it.
	Repository string
	// Root is a directory on the anvil machine owned by this job; Workspace
	// and Temp are below or beside it and must be visible to the job.
	Root      string
	Workspace string
	Temp      string
	// Image is the container image for container backends; empty on host.
	Image string
	// Labels identify resources created for the job (for clean-up).
	Labels map[string]string
	// BinDir is a directory under Root that the engine puts first on the
	// job's PATH (as Path(BinDir)). When SelfBinary is set, the backend
	// makes it runnable there as "anvil": the shipped actions run anvil
	// subcommands inside jobs.
	BinDir     string
	SelfBinary string
	// Container is the job's container: from the job's container: key, or
	// an image from the runs-on label mapping. Nil on host.
	Container *ContainerSpec
	// Services are the job's service containers by id (host name).
	Services map[string]*ContainerSpec
}

// ContainerSpec is a job or service container with its expressions
// evaluated.
type ContainerSpec struct {
	Image       string
	Env         map[string]string
	Ports       []string
	Volumes     []string
	Options     string
	Credentials map[string]string
	// Cmd overrides the image's command (Forgejo's services.<id>.cmd).
	Cmd []string
}

// ProgramFinder is an optional ability of an Environment: it tells
// whether a program is on the given PATH as the job sees it. Without it
// the engine assumes the program is there and lets Exec report otherwise.
type ProgramFinder interface {
	HasProgram(ctx context.Context, name, path string) bool
}

// ContainerActionRunner is an optional ability of an Environment: running
// docker actions (runs.using: docker) and docker:// steps.
type ContainerActionRunner interface {
	RunContainerAction(ctx context.Context, action ContainerAction, out io.Writer) (exitCode int, err error)
}

// ContainerAction is one docker action or docker:// step to run.
type ContainerAction struct {
	// Image is an image reference (docker://IMAGE without the scheme);
	// Dockerfile, when set, is a host path of a Dockerfile to build instead,
	// with its directory as the build context.
	Image      string
	Dockerfile string
	Entrypoint string
	Args       []string
	// Env is the complete environment, KEY=VALUE; Dir the working
	// directory as the job sees it.
	Env []string
	Dir string
}

// BaseEnvProvider is an optional ability of an Environment: the
// environment its processes start from (a container image's PATH, HOME,
// ...), used instead of Config.BaseEnv, which describes anvil's machine.
type BaseEnvProvider interface {
	BaseEnv() map[string]string
}

// JobContextProvider is an optional ability of an Environment: the job
// context's container and services entries (job.container.network,
// job.services.<id>.ports, ...).
type JobContextProvider interface {
	JobContext() (container map[string]any, services map[string]any)
}

// Command is one process to run in an Environment.
type Command struct {
	// Args is the program and its arguments, as the job sees them.
	Args []string
	// Env is the complete environment, KEY=VALUE.
	Env []string
	// Dir is the working directory as the job sees it.
	Dir string
}
