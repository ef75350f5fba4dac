package docker

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// execWait follows one exec until its process exits.
type execWait struct {
	env     *Environment
	id      string
	pidFile string
	copied  chan error
	// copyDone and copyErr are set once copied delivered.
	copyDone bool
	copyErr  error
	// cancelled is set when the wait ended by cancelling the step.
	cancelled bool
}

// wait returns the exit code once the exec's process is gone. On
// cancellation of ctx it interrupts, then kills the process group.
func (w *execWait) wait(ctx context.Context) (int, error) {
	bg := context.WithoutCancel(ctx)
	delay := pollInterval
	timer := time.NewTimer(delay)
	defer timer.Stop()
	copied := w.copied
	for {
		select {
		case err := <-copied:
			// The output ended, so the process is about to be reported
			// gone: look now, then in quick succession.
			w.copyDone, w.copyErr, copied = true, err, nil
			delay = time.Millisecond
			timer.Reset(0)
		case <-timer.C:
			code, running, err := w.env.execState(bg, w.id)
			if err != nil || !running {
				return code, err
			}
			if w.copyDone {
				delay = min(2*delay, pollInterval)
			}
			timer.Reset(delay)
		case <-ctx.Done():
			w.cancelled = true
			return w.cancel(bg)
		}
	}
}

// cancel interrupts the exec's process group, kills it after the grace
// period, and once the leader is gone kills what is left of the group.
func (w *execWait) cancel(ctx context.Context) (int, error) {
	e := w.env
	pid, code, exited, err := w.pid(ctx, e.cfg.Grace)
	if err != nil || exited {
		return code, err
	}
	if pid > 0 {
		e.signal(ctx, "INT", pid)
	}
	code, exited, err = e.awaitExit(ctx, w.id, e.cfg.Grace)
	if err != nil {
		return code, err
	}
	if !exited {
		if pid <= 0 {
			return -1, fmt.Errorf("the cancelled process did not start properly and cannot be signalled")
		}
		e.signal(ctx, "KILL", pid)
		if code, exited, err = e.awaitExit(ctx, w.id, exitWait); err != nil {
			return code, err
		}
		if !exited {
			return -1, fmt.Errorf("the process did not exit %s after SIGKILL", exitWait)
		}
	}
	if pid > 0 {
		// The step is cancelled: whatever it started goes too.
		e.signal(ctx, "KILL", pid)
	}
	return code, nil
}

// pid waits up to max for the wrapper to write the pid file, unless the
// process exits first (then exited is set with its code).
func (w *execWait) pid(ctx context.Context, max time.Duration) (pid, code int, exited bool, err error) {
	deadline := time.Now().Add(max)
	for {
		data, _ := os.ReadFile(w.pidFile)
		if n, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && n > 0 {
			return n, 0, false, nil
		}
		code, running, err := w.env.execState(ctx, w.id)
		if err != nil || !running {
			return 0, code, true, err
		}
		if time.Now().After(deadline) {
			return 0, 0, false, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// drain finishes the output copy once the process exited; see
// drainOutput.
func (w *execWait) drain(stop func()) error {
	if w.copyDone {
		return w.copyErr
	}
	return drainOutput(w.copied, stop)
}

// drainOutput waits for an output copy to finish, for at most drainDelay
// after the process exited, then stops it and waits for the copy to
// return. Output still arriving after that is dropped.
func drainOutput(copied <-chan error, stop func()) error {
	timer := time.NewTimer(drainDelay)
	defer timer.Stop()
	select {
	case err := <-copied:
		return err
	case <-timer.C:
	}
	stop()
	<-copied
	return nil
}
