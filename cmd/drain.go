package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/anvil-ci/anvil/internal/osproc"
)

const drainLong = `Ask a running anvil daemon to drain and wait until it has: send it one
SIGTERM (it takes no new job, lets running jobs finish within
runner.shutdown_timeout, cancels the rest, reports them and exits 0), then
wait for the process to exit, for at most --timeout.

This is the preStop hook of the Helm chart (deploy/helm/anvil): the image
has no shell or kill, and the daemon is process 1 of its container. Only one
signal is sent: a second one would cancel the running jobs at once.`

type drainOptions struct {
	pid     int
	timeout time.Duration
}

func newDrainCommand(proc Process) *cobra.Command {
	o := &drainOptions{}
	c := &cobra.Command{
		Use:     "drain",
		Short:   "Make a running anvil daemon drain (SIGTERM) and wait for it to exit",
		Long:    drainLong,
		Example: "  anvil drain              # the daemon is process 1 (a container)\n  anvil drain --pid \"$(pidof anvil)\" --timeout 30m",
		Args:    rangeArgs(0, 0),
		RunE: func(c *cobra.Command, _ []string) error {
			return runDrain(c.Context(), proc, o)
		},
	}
	c.Flags().IntVar(&o.pid, "pid", 1, "the daemon's process id")
	c.Flags().DurationVar(&o.timeout, "timeout", time.Hour, "give up waiting after this long")
	return c
}

func runDrain(ctx context.Context, proc Process, o *drainOptions) error {
	if o.pid <= 0 {
		return usageErrorf("--pid must be a process id")
	}
	p, err := os.FindProcess(o.pid)
	if err == nil {
		err = p.Signal(syscall.SIGTERM)
	}
	if err != nil {
		if errors.Is(err, os.ErrProcessDone) || errors.Is(err, syscall.ESRCH) {
			fmt.Fprintf(proc.Stderr, "anvil: process %d is not running; nothing to drain\n", o.pid)
			return nil
		}
		return fmt.Errorf("signalling process %d: %w", o.pid, err)
	}
	fmt.Fprintf(proc.Stderr, "anvil: asked process %d to drain; waiting up to %s for it to exit\n", o.pid, o.timeout)
	err = osproc.WaitExit(ctx, p, o.pid, o.timeout)
	if errors.Is(err, osproc.ErrStillRunning) {
		return fmt.Errorf("process %d still runs %s after being asked to drain (raise --timeout, or runner.shutdown_timeout is longer)", o.pid, o.timeout)
	}
	return err
}
