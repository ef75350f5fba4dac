package executortest

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"

	"codeberg.org/anvil-ci/anvil/executor"
)

// Config says what the fake's environments do.
type Config struct {
	// Inner, when set, prepares the environments and runs their commands
	// (host.New for real processes). Without it Prepare creates nothing,
	// Path returns its argument and Exec exits 0 with no output.
	Inner executor.Backend
	// Prepare, when set, runs first in every Prepare; an error it returns
	// is Prepare's error (and nothing is prepared).
	Prepare func(ctx context.Context, spec executor.JobSpec) error
	// Exec, when set, runs every command instead of the default: inner is
	// Inner's environment (nil without Inner), for a fault around the real
	// thing.
	Exec func(ctx context.Context, inner executor.Environment, cmd executor.Command, out io.Writer) (int, error)
	// HostAddress is what the environments report as HostAddress (the
	// executor.HostAddresser ability); empty means loopback.
	HostAddress string
}

// Op names a recorded call.
type Op string

// The calls Backend records.
const (
	OpPrepare Op = "Prepare"
	OpExec    Op = "Exec"
	OpClose   Op = "Close"
)

// Call is one recorded call.
type Call struct {
	Op Op
	// Job is the JobID of the environment.
	Job string
	// Args is the command of an Exec.
	Args []string
}

// Backend is the fake executor.Backend. Create it with New.
type Backend struct {
	tb  testing.TB
	cfg Config

	mu       sync.Mutex
	calls    []Call
	prepared map[string]*Environment
}

// New returns a Backend that reports misuse to tb and, when tb's test
// ends, fails it for every environment that was not closed.
func New(tb testing.TB, cfg Config) *Backend {
	tb.Helper()
	b := &Backend{tb: tb, cfg: cfg, prepared: map[string]*Environment{}}
	tb.Cleanup(b.checkClosed)
	return b
}

// Calls returns the calls so far, in order.
func (b *Backend) Calls() []Call {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.calls)
}

// Count returns how many calls of op were made.
func (b *Backend) Count(op Op) int {
	n := 0
	for _, c := range b.Calls() {
		if c.Op == op {
			n++
		}
	}
	return n
}

// Prepare records the call, fails the test when the job was prepared
// before, and prepares the environment (through Config.Prepare and
// Config.Inner).
func (b *Backend) Prepare(ctx context.Context, spec executor.JobSpec) (executor.Environment, error) {
	b.mu.Lock()
	b.calls = append(b.calls, Call{Op: OpPrepare, Job: spec.JobID})
	_, again := b.prepared[spec.JobID]
	b.mu.Unlock()
	if again {
		b.misuse("Prepare of job %q, which was prepared before: the contract is one Prepare per job", spec.JobID)
	}
	if b.cfg.Prepare != nil {
		if err := b.cfg.Prepare(ctx, spec); err != nil {
			return nil, err
		}
	}
	env := &Environment{b: b, spec: spec}
	if b.cfg.Inner != nil {
		inner, err := b.cfg.Inner.Prepare(ctx, spec)
		if err != nil {
			return nil, err
		}
		env.inner = inner
	}
	b.mu.Lock()
	b.prepared[spec.JobID] = env
	b.mu.Unlock()
	return env, nil
}

func (b *Backend) record(c Call) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls = append(b.calls, c)
}

// misuse fails the test for a broken contract.
func (b *Backend) misuse(format string, args ...any) {
	b.tb.Helper()
	b.tb.Errorf("executortest: "+format, args...)
}

// checkClosed fails the test for each environment left open.
func (b *Backend) checkClosed() {
	b.mu.Lock()
	var open []string
	for job, env := range b.prepared {
		if !env.isClosed() {
			open = append(open, job)
		}
	}
	b.mu.Unlock()
	slices.Sort(open)
	for _, job := range open {
		b.tb.Errorf("executortest: the environment of job %q was never closed: the contract is Prepare, Exec..., then Close", job)
	}
}

// String describes a call for messages.
func (c Call) String() string {
	if c.Op == OpExec {
		return fmt.Sprintf("%s %s %q", c.Op, c.Job, c.Args)
	}
	return fmt.Sprintf("%s %s", c.Op, c.Job)
}
