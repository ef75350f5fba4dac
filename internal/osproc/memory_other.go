//go:build !linux

package osproc

import "runtime/debug"

// ReleaseMemory gives free heap back to the system when the daemon is
// idle (on Linux it also releases the executable's start-up pages).
func ReleaseMemory() { debug.FreeOSMemory() }
