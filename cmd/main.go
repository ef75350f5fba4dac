package cmd

import (
	"context"
	"errors"
	"fmt"

	"codeberg.org/anvil-ci/anvil/internal/interrupt"
	"codeberg.org/anvil-ci/anvil/localrun"
)

// Exit statuses of anvil.
const (
	// ExitOK means every job succeeded.
	ExitOK = 0
	// ExitFailed means a job failed or was cancelled, or the run could not
	// complete.
	ExitFailed = 1
	// ExitUsage means bad flags or arguments.
	ExitUsage = 2
	// ExitInterrupted is used when a second Ctrl-C ends anvil at once.
	ExitInterrupted = 130
)

// Main runs anvil with args (without the program name) and returns the exit
// status. The first interrupt on proc.Interrupts cancels the run; the
// second calls proc.Exit(ExitInterrupted).
func Main(ctx context.Context, proc Process, args []string) int {
	ctx, stop := interrupt.Cancel(ctx, proc.Interrupts, proc.Stderr, func() { proc.Exit(ExitInterrupted) })
	defer stop()

	root := NewRoot(proc)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return reportError(proc, err)
}

// reportError prints err (unless it was already reported) and returns the
// exit status it stands for.
func reportError(proc Process, err error) int {
	if err == nil {
		return ExitOK
	}
	var ue *localrun.UsageError
	if errors.As(err, &ue) && !errors.As(err, new(*exitError)) {
		fmt.Fprintf(proc.Stderr, "anvil: %v\n", ue.Err)
		return ExitUsage
	}
	var ee *exitError
	if !errors.As(err, &ee) {
		fmt.Fprintf(proc.Stderr, "anvil: %v\n", err)
		return ExitFailed
	}
	if !ee.reported && ee.err != nil {
		fmt.Fprintf(proc.Stderr, "anvil: %v\n", ee.err)
	}
	return ee.code
}
