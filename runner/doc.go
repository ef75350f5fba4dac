// Package runner is the daemon side of Anvil: it registers with a forge,
// fetches tasks, turns each into a pipeline.Plan run by the executor, and
// reports logs, step states and results back through package forge.
//
// It is built by the runner-protocol issue; until then the package holds
// only this description, so that the dependency rules of ARCHITECTURE.md
// have their place in the tree.
package runner
