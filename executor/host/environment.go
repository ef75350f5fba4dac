package host

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"sync"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
)

// drainDelay is how long Exec keeps copying output after the process it
// started has exited. A background process that still holds the output
// pipe (a step running "server &") must not keep the step running.
const drainDelay = 200 * time.Millisecond

// MarkVariable is the environment variable that marks every process of a
// job on the host: Exec adds it, with a value of its Environment's own, to
// the environment of each process it starts, and the processes those start
// inherit it, also when they leave the step's process group (setsid, a
// double fork). Close finds a job's leftover processes by it.
const MarkVariable = "ANVIL_JOB_PROCESS"

// Environment runs one job's processes on this machine. Exec calls run one
// at a time; Close may run concurrently with an Exec.
type Environment struct {
	grace time.Duration
	mark  string // MarkVariable=value, this Environment's mark

	mu      sync.Mutex
	closed  bool
	groups  map[int]struct{} // process groups started and maybe still alive
	leaders map[int]struct{} // group leaders Exec is waiting for
	since   uint64           // when the first process started, ticks after boot; 0 before
	first   pidMark          // where the pid counter stood when the first process started
}

var _ executor.Environment = (*Environment)(nil)

func newEnvironment(grace time.Duration, jobID string) *Environment {
	return &Environment{
		grace: grace, mark: MarkVariable + "=" + jobID + "-" + randomHex(8),
		groups: map[int]struct{}{}, leaders: map[int]struct{}{},
	}
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Path returns hostPath: the job sees the machine's own file system.
func (e *Environment) Path(hostPath string) string { return hostPath }

// Exec runs c with exactly c.Env (plus this Environment's MarkVariable)
// and c.Dir, nothing inherited, stdin from /dev/null, and stdout and stderr merged into out through one pipe so their
// order is kept. The process leads a new process group. The exit code is
// the process's own, or 128+n when signal n killed it.
//
// When ctx is cancelled the group gets SIGINT and, once the leader exits or
// the grace period ends, SIGKILL, so nothing of a cancelled step survives.
// Exec then reports the exit code with a nil error: the caller knows its
// context was cancelled. A process left running in the background by a step
// that finished normally keeps running until Close; Exec stops copying its
// output shortly after the leader exits.
func (e *Environment) Exec(ctx context.Context, c executor.Command, out io.Writer) (int, error) {
	if len(c.Args) == 0 {
		return -1, errors.New("running a command: no program given")
	}
	if err := ctx.Err(); err != nil {
		return -1, fmt.Errorf("running %q: %w", c.Args[0], err)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return -1, fmt.Errorf("creating output pipe for %q: %w", c.Args[0], err)
	}
	defer pr.Close()
	c.Env = append(slices.Clone(c.Env), e.mark)
	cmd, err := toCmd(c, pw)
	if err != nil {
		pw.Close()
		return -1, err
	}
	pgid, err := e.start(cmd)
	pw.Close()
	if err != nil {
		return -1, fmt.Errorf("starting %q: %w", c.Args[0], err)
	}

	copied := make(chan error, 1)
	go func() { copied <- copyOutput(out, pr) }()
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()

	waitErr := e.wait(ctx, pgid, waited)
	e.mu.Lock()
	delete(e.leaders, pgid)
	e.mu.Unlock()
	copyErr := drain(pr, copied)
	e.forgetIfGone(pgid)

	code := -1
	if cmd.ProcessState != nil {
		code = exitCode(cmd.ProcessState)
	}
	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) {
		return code, fmt.Errorf("waiting for %q: %w", c.Args[0], waitErr)
	}
	if copyErr != nil {
		return code, fmt.Errorf("copying output of %q: %w", c.Args[0], copyErr)
	}
	return code, nil
}

// start starts cmd and records its process group, unless the Environment
// is closed. Holding the lock across Start means Close either sees the new
// group or Exec sees the Environment closed.
func (e *Environment) start(cmd *exec.Cmd) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return 0, ErrClosed
	}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	pgid := cmd.Process.Pid
	e.groups[pgid] = struct{}{}
	e.leaders[pgid] = struct{}{}
	if e.since == 0 {
		// Not reaped yet, so /proc still has it even if it has ended.
		e.since = startOf(pgid)
		e.first = markPids(pgid)
	}
	return pgid, nil
}

// wait waits for the leader of group pgid to exit, interrupting and then
// killing the group when ctx is cancelled.
func (e *Environment) wait(ctx context.Context, pgid int, waited <-chan error) error {
	select {
	case err := <-waited:
		return err
	case <-ctx.Done():
	}
	_ = interruptGroup(pgid)
	grace := time.NewTimer(e.grace)
	defer grace.Stop()
	var err error
	select {
	case err = <-waited:
	case <-grace.C:
		_ = killGroup(pgid)
		err = <-waited
	}
	// The step is cancelled: whatever it started goes too.
	_ = killGroup(pgid)
	return err
}

// drain waits for the output copy to finish, for at most drainDelay, then
// stops it. Output still arriving after that is dropped.
func drain(pr *os.File, copied <-chan error) error {
	timer := time.NewTimer(drainDelay)
	defer timer.Stop()
	select {
	case err := <-copied:
		return err
	case <-timer.C:
	}
	if err := pr.SetReadDeadline(time.Now()); err != nil {
		pr.Close()
	}
	err := <-copied
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}

// copyOutput copies r to w until r ends. After a write error it keeps
// reading, so the process never blocks on a full pipe, and returns that
// error at the end.
func copyOutput(w io.Writer, r io.Reader) error {
	buf := make([]byte, 32*1024)
	var writeErr error
	for {
		n, err := r.Read(buf)
		if n > 0 && writeErr == nil {
			_, writeErr = w.Write(buf[:n])
		}
		if errors.Is(err, io.EOF) {
			return writeErr
		}
		if err != nil {
			return errors.Join(writeErr, err)
		}
	}
}

// forgetIfGone stops tracking group pgid once no process is left in it.
func (e *Environment) forgetIfGone(pgid int) {
	if groupAlive(pgid) {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.groups, pgid)
}

// Close kills (SIGKILL) every process group this Environment started that
// may still have processes, such as background processes of finished
// steps, then, on Linux, every other process that carries this
// Environment's mark or descends from one: those a step detached with
// setsid or a double fork. It reaps those that became anvil's children.
// Later Exec calls fail with ErrClosed. Close is idempotent.
func (e *Environment) Close(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	var errs []error
	for pgid := range e.groups {
		if err := killGroup(pgid); err != nil {
			errs = append(errs, fmt.Errorf("killing process group %d: %w", pgid, err))
		}
	}
	since := e.since
	if since == 0 { // no process started, or /proc could not tell when
		since = selfStart()
	}
	sweep(e.mark, since, e.first, e.groups, e.leaders)
	e.groups = nil
	return errors.Join(errs...)
}

// HasProgram reports whether name is an executable in the PATH list path.
func (e *Environment) HasProgram(_ context.Context, name, path string) bool {
	_, err := lookPath(name, []string{"PATH=" + path}, "")
	return err == nil
}
