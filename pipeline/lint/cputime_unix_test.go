//go:build unix

package lint

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user and system, all threads) the test binary
// has used, which other processes on a busy machine do not inflate.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
