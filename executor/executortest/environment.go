package executortest

import (
	"context"
	"errors"
	"io"
	"sync"

	"codeberg.org/anvil-ci/anvil/executor"
)

// ErrClosed is Exec's error on a closed environment (after the test was
// failed for it).
var ErrClosed = errors.New("executortest: Exec on a closed environment")

// Environment is a prepared job of the fake Backend.
type Environment struct {
	b     *Backend
	spec  executor.JobSpec
	inner executor.Environment

	mu      sync.Mutex
	running int
	closed  bool
}

// Exec records the call, fails the test when the environment is closed
// or another Exec of the job runs, and runs cmd (through Config.Exec or
// Config.Inner; without either it exits 0 with no output).
func (e *Environment) Exec(ctx context.Context, cmd executor.Command, out io.Writer) (int, error) {
	e.b.record(Call{Op: OpExec, Job: e.spec.JobID, Args: append([]string(nil), cmd.Args...)})
	e.mu.Lock()
	closed, concurrent := e.closed, e.running > 0
	e.running++
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.running--
		e.mu.Unlock()
	}()
	if closed {
		e.b.misuse("Exec %q of job %q after Close: the contract runs commands between Prepare and Close only", cmd.Args, e.spec.JobID)
		return -1, ErrClosed
	}
	if concurrent {
		e.b.misuse("Exec %q of job %q while another Exec of the job runs: the contract allows one at a time", cmd.Args, e.spec.JobID)
	}
	switch {
	case e.b.cfg.Exec != nil:
		return e.b.cfg.Exec(ctx, e.inner, cmd, out)
	case e.inner != nil:
		return e.inner.Exec(ctx, cmd, out)
	}
	return 0, nil
}

// Path maps a host path as Inner does; without Inner it is unchanged, as
// on the host.
func (e *Environment) Path(hostPath string) string {
	if e.inner != nil {
		return e.inner.Path(hostPath)
	}
	return hostPath
}

// Close records the call, fails the test when an Exec of the job still
// runs, and closes Inner's environment once. A second Close returns nil,
// as the contract promises.
func (e *Environment) Close(ctx context.Context) error {
	e.b.record(Call{Op: OpClose, Job: e.spec.JobID})
	e.mu.Lock()
	already, running := e.closed, e.running
	e.closed = true
	e.mu.Unlock()
	if running > 0 {
		e.b.misuse("Close of job %q while %d Exec of the job runs: the contract closes after the commands have returned", e.spec.JobID, running)
	}
	if already || e.inner == nil {
		return nil
	}
	return e.inner.Close(ctx)
}

// HostAddress is Config.HostAddress (executor.HostAddresser).
func (e *Environment) HostAddress() string { return e.b.cfg.HostAddress }

func (e *Environment) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

var (
	_ executor.Backend       = (*Backend)(nil)
	_ executor.Environment   = (*Environment)(nil)
	_ executor.HostAddresser = (*Environment)(nil)
)
