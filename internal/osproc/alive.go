package osproc

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"
)

// Alive reports whether p (process id pid) exists and is not a zombie.
func Alive(p *os.Process, pid int) bool {
	if err := p.Signal(syscall.Signal(0)); err != nil {
		return false
	}
	return !IsZombie(pid)
}

// ErrStillRunning is WaitExit's error when the process outlives the wait.
var ErrStillRunning = errors.New("the process still runs")

// WaitExit polls every 100ms until p (process id pid) has exited or is a
// zombie, and returns nil then; ctx's error when ctx ends first, and
// ErrStillRunning when within passes first.
func WaitExit(ctx context.Context, p *os.Process, pid int, within time.Duration) error {
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if !Alive(p, pid) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return ErrStillRunning
		case <-tick.C:
		}
	}
}
