//go:build !linux

package cmd

import "runtime/debug"

// releaseMemory gives free heap back to the system when the daemon is
// idle (on Linux it also releases the executable's start-up pages).
func releaseMemory() { debug.FreeOSMemory() }
