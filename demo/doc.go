// Package demo is the small repository anvil demo runs: its files,
// embedded from demo/repo, and Write, which writes them to a directory
// and commits them with git. CommitAll makes any directory such a
// one-commit repository, independent of the user's git configuration
// (tests use it for fixtures).
//
// It runs no workflows: cmd's anvil demo runs the written repository
// through localrun as anvil exec push would.
package demo
