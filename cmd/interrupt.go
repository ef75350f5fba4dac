package cmd

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// killSwitch holds what the second Ctrl-C calls: the running engines'
// Kill, which stops even the steps that run after a cancellation and
// kills every process they started.
type killSwitch struct {
	mu    sync.Mutex
	kills []func()
	// notes replace what the first and second interrupt print, for
	// commands that stop differently (anvil daemon).
	notes [2]string
}

// setInterruptNotes sets what the first and second interrupt of the
// context's command print.
func setInterruptNotes(ctx context.Context, first, second string) {
	if ks, ok := ctx.Value(killSwitchKey{}).(*killSwitch); ok {
		ks.mu.Lock()
		ks.notes = [2]string{first, second}
		ks.mu.Unlock()
	}
}

// note returns the command's note i, or def.
func (ks *killSwitch) note(i int, def string) string {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if ks.notes[i] != "" {
		return ks.notes[i]
	}
	return def
}

type killSwitchKey struct{}

// onKill registers f to run on the second interrupt of the context's
// command. It does nothing for contexts without interrupt handling.
func onKill(ctx context.Context, f func()) {
	if ks, ok := ctx.Value(killSwitchKey{}).(*killSwitch); ok {
		ks.mu.Lock()
		ks.kills = append(ks.kills, f)
		ks.mu.Unlock()
	}
}

// kill runs the registered functions and reports whether there were any.
func (ks *killSwitch) kill() bool {
	ks.mu.Lock()
	kills := ks.kills
	ks.mu.Unlock()
	for _, f := range kills {
		f()
	}
	return len(kills) > 0
}

// cancelOnInterrupt returns a context cancelled by the first interrupt on
// proc.Interrupts. The second interrupt kills what the command registered
// with onKill (every process of the run), or exits at once when nothing
// was registered; a third exits at once. stop releases the goroutine.
func cancelOnInterrupt(parent context.Context, proc Process) (ctx context.Context, stop func()) {
	ks := &killSwitch{}
	ctx, cancel := context.WithCancelCause(context.WithValue(parent, killSwitchKey{}, ks))
	if proc.Interrupts == nil {
		return ctx, func() { cancel(nil) }
	}
	done := make(chan struct{})
	wait := func() bool {
		select {
		case <-proc.Interrupts:
			return true
		case <-done:
			return false
		}
	}
	go func() {
		if !wait() {
			return
		}
		fmt.Fprintln(proc.Stderr, ks.note(0, "\nanvil: interrupted: cancelling the run (cancelled() and always() steps and post steps still run); press Ctrl-C again to stop everything now"))
		cancel(errInterrupted)
		if !wait() {
			return
		}
		if ks.kill() {
			fmt.Fprintln(proc.Stderr, ks.note(1, "anvil: interrupted again: stopping every step now; press Ctrl-C a third time to exit without cleaning up"))
			if !wait() {
				return
			}
		}
		fmt.Fprintln(proc.Stderr, "anvil: exiting now")
		proc.Exit(ExitInterrupted)
	}()
	return ctx, func() {
		close(done)
		cancel(nil)
	}
}

// errInterrupted is the cancellation cause of a run stopped by Ctrl-C.
var errInterrupted = errors.New("interrupted by Ctrl-C")
