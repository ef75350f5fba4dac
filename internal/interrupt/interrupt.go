package interrupt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
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

type killSwitchKey struct{}

// SetNotes sets what the first and second interrupt of the context's
// command print ("" keeps the default).
func SetNotes(ctx context.Context, first, second string) {
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

// OnKill registers f to run on the second interrupt of the context's
// command. It does nothing for contexts without interrupt handling.
func OnKill(ctx context.Context, f func()) {
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

// Cancel returns a context cancelled by the first interrupt on
// interrupts, which prints a note to stderr. The second interrupt kills
// what the command registered with OnKill (every process of the run), or
// calls exit when nothing was registered; a third calls exit. stop
// releases the goroutine. Nil interrupts means none come.
func Cancel(parent context.Context, interrupts <-chan os.Signal, stderr io.Writer, exit func()) (ctx context.Context, stop func()) {
	ks := &killSwitch{}
	ctx, cancel := context.WithCancelCause(context.WithValue(parent, killSwitchKey{}, ks))
	if interrupts == nil {
		return ctx, func() { cancel(nil) }
	}
	done := make(chan struct{})
	wait := func() bool {
		select {
		case <-interrupts:
			return true
		case <-done:
			return false
		}
	}
	go func() {
		if !wait() {
			return
		}
		fmt.Fprintln(stderr, ks.note(0, "\nanvil: interrupted: cancelling the run (cancelled() and always() steps and post steps still run); press Ctrl-C again to stop everything now"))
		cancel(ErrInterrupted)
		if !wait() {
			return
		}
		if ks.kill() {
			fmt.Fprintln(stderr, ks.note(1, "anvil: interrupted again: stopping every step now; press Ctrl-C a third time to exit without cleaning up"))
			if !wait() {
				return
			}
		}
		fmt.Fprintln(stderr, "anvil: exiting now")
		exit()
	}()
	return ctx, func() {
		close(done)
		cancel(nil)
	}
}

// ErrInterrupted is the cancellation cause of a run stopped by Ctrl-C.
var ErrInterrupted = errors.New("interrupted by Ctrl-C")
