//go:build !linux

package host

// becomeSubreaper does nothing: child subreapers are a Linux feature.
func becomeSubreaper() {}

// sweep does nothing here: without /proc, Close kills the process groups
// the Environment started and no more.
func sweep(string, map[int]struct{}, map[int]struct{}) int { return 0 }
