//go:build !linux

package host

// becomeSubreaper does nothing: child subreapers are a Linux feature.
func becomeSubreaper() {}

// sweep does nothing here: without /proc, Close kills the process groups
// the Environment started and no more.
func sweep(string, uint64, pidMark, map[int]struct{}, map[int]struct{}) int { return 0 }

// pidMark is empty: without /proc there is no pid counter to read.
type pidMark struct{}

// markPids returns the empty pidMark.
func markPids(int) pidMark { return pidMark{} }

// startOf is 0: without /proc there is no start time to read.
func startOf(int) uint64 { return 0 }

// selfStart is 0: without /proc there is no start time to read.
func selfStart() uint64 { return 0 }
