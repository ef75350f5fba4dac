package cmd

import (
	"context"
	"errors"
	"fmt"
)

// cancelOnInterrupt returns a context cancelled by the first interrupt on
// proc.Interrupts. The second interrupt calls proc.Exit at once. stop
// releases the goroutine.
func cancelOnInterrupt(parent context.Context, proc Process) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	if proc.Interrupts == nil {
		return ctx, func() { cancel(nil) }
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-proc.Interrupts:
		case <-done:
			return
		}
		fmt.Fprintln(proc.Stderr, "\nanvil: interrupted: cancelling the run (cancelled() and always() steps and post steps still run); press Ctrl-C again to exit at once")
		cancel(errInterrupted)
		select {
		case <-proc.Interrupts:
			fmt.Fprintln(proc.Stderr, "anvil: interrupted again: exiting now")
			proc.Exit(ExitInterrupted)
		case <-done:
		}
	}()
	return ctx, func() {
		close(done)
		cancel(nil)
	}
}

// errInterrupted is the cancellation cause of a run stopped by Ctrl-C.
var errInterrupted = errors.New("interrupted by Ctrl-C")
