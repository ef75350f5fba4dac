//go:build !linux

package executor

// markTopDir does nothing: the directory flag it sets on Linux is ext4's.
func markTopDir(string) {}
