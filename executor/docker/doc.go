// Package docker runs a job's steps in containers through the Docker
// Engine API: the job container (from the runs-on label's docker:// image
// or the job's container:), service containers on a per-job network, and
// docker actions (docker://IMAGE or a Dockerfile built locally).
//
// It implements executor.Backend with the same semantics as package host:
// Prepare creates the containers, Exec runs one step's process in the job
// container with stdout and stderr merged, cancellation interrupts the
// step's process group and kills it after the grace period, and Close
// removes everything the job created. The Environment also has the
// engine's optional abilities: ProgramFinder, ContainerActionRunner,
// JobContextProvider and BaseEnvProvider.
//
// The job's root directory on this machine is bind-mounted into every
// container: the workspace at WorkdirParent/owner/repo
// (/workspace/owner/repo by default), the rest of the root under /anvil,
// so the scripts and env files the engine writes are visible to the steps
// at Environment.Path. Steps are started detached with docker exec under
// a small sh wrapper that records their pid and writes their output to a
// FIFO in the job's directory, which Exec reads: the Docker engine must
// run on this machine.
//
// Every container, network and volume it creates carries the labels
// anvil.managed=true, anvil.owner (host and process) and the job's labels;
// Cleanup removes what a crashed run left behind. Translating specs into
// Docker API values is pure (convert*.go, options.go, layout.go) and
// tested without Docker; the rest is a thin layer over the API client
// (Client, which *client.Client implements).
//
// It does not interpret workflows or expressions: the engine in package
// executor does, and cmd (anvil exec -P LABEL=docker://IMAGE) or the
// runner daemon (labels like ubuntu-latest:docker://IMAGE) wire it in.
package docker
