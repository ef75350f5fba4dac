// Package runopt reads what a workflow asks of the containers of a job:
// the docker run flags of a container's or service's options: and its
// volumes:, with what a runner's configuration allows (Policy).
//
// It is the one list of what the Docker executor accepts: executor/docker
// builds containers from what Parse and ParseVolume return, and
// pipeline/lint reports with Check, before a job starts, what the
// executor would refuse when it does (--network host, --privileged on a
// runner that does not allow it, a host path outside valid_volumes, ...).
// It runs nothing and talks to no Docker engine.
package runopt
