// Package host runs a job's processes directly on the machine running
// anvil, with no isolation beyond a directory per job.
//
// It implements executor.Backend: Prepare creates the job's directories,
// Exec runs one step's process in its own process group with stdout and
// stderr merged, and Close kills whatever the job left running. It does not
// interpret workflows, expressions or output; the engine in package executor
// does, and cmd wires this backend in for jobs whose labels ask for the
// host. Only Unix-like systems are supported; elsewhere Prepare fails with
// ErrUnsupported.
package host
