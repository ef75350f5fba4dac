// Package gitops is the logic of the gitops-promote action: clone a config
// repository with real git, set an image tag or any YAML value in one file
// (kustomization images, Helm values, any YAML path) keeping comments, key
// order and every other byte, commit, and push, fetching and re-applying
// the change when another pipeline pushed first.
//
// Edits are made on yaml.v3 nodes: an existing value is replaced in place
// in the file's bytes (checked by parsing the result), and only when keys
// must be added is the file re-encoded. Tokens reach git through
// GIT_CONFIG_* environment variables as an HTTP header scoped to the
// repository URL, never through the command line or the remote URL, and
// are scrubbed from git's messages.
//
// ParsePromote reads the action's inputs (package step's rules) and
// PromoteOutputs names its outputs; the anvil action gitops-promote command
// in cmd/ wires them to the flags, the environment and the step's files.
// gitopstest serves repositories over smart HTTP with pushes, for tests.
package gitops
