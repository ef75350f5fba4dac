package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"

	"codeberg.org/anvil-ci/anvil/executor"
)

// Timing of Exec.
const (
	// drainDelay is how long Exec keeps copying output after the step's
	// process exited: a background process holding the output (a step
	// running "server &") must not keep the step running.
	drainDelay = 200 * time.Millisecond
	// pollInterval is how often Exec asks the engine whether a step's
	// process still runs while its output stream is open.
	pollInterval = 100 * time.Millisecond
	// exitWait bounds the wait for a killed process to be reported gone.
	exitWait = 30 * time.Second
	// signalTimeout bounds one signalling exec.
	signalTimeout = 10 * time.Second
)

// Exec runs c in the job container with c.Env on top of the container's
// own environment, stdout and stderr merged into out and no stdin. The
// process leads its own process group (docker exec makes it a session
// leader). The exit code is the process's own, or 128+n when signal n
// killed it.
//
// When ctx is cancelled the group gets SIGINT and, once the leader exits
// or Config.Grace ends, SIGKILL. Exec then reports the exit code with a
// nil error. A process left running in the background by a step that
// finished normally keeps running until Close; Exec stops copying its
// output shortly after the leader exits.
func (e *Environment) Exec(ctx context.Context, c executor.Command, out io.Writer) (int, error) {
	if len(c.Args) == 0 {
		return -1, errors.New("running a command: no program given")
	}
	if err := ctx.Err(); err != nil {
		return -1, fmt.Errorf("running %q: %w", c.Args[0], err)
	}
	if e.isClosed() {
		return -1, fmt.Errorf("running %q: %w", c.Args[0], ErrClosed)
	}
	n := e.seq.Add(1)
	pidFile := filepath.Join(e.stateDir, fmt.Sprintf("exec-%d.pid", n))
	defer os.Remove(pidFile)
	output, err := openOutput(filepath.Join(e.stateDir, fmt.Sprintf("exec-%d.out", n)))
	if err != nil {
		return -1, fmt.Errorf("running %q: %w", c.Args[0], err)
	}
	defer output.Close()
	pidPath, _ := e.layout.path(pidFile)
	outPath, _ := e.layout.path(output.path)
	bg := context.WithoutCancel(ctx)
	args, env := execArgs(outPath, pidPath, c)
	id, err := e.startDetached(bg, "", env, args)
	if err != nil {
		return -1, fmt.Errorf("running %q: %w", c.Args[0], err)
	}
	copied := make(chan error, 1)
	go func() { copied <- output.copyTo(out) }()
	w := &execWait{env: e, id: id, pidFile: pidFile, copied: copied}
	code, waitErr := w.wait(ctx)
	copyErr := w.drain(output.stop)
	if waitErr != nil {
		return code, fmt.Errorf("waiting for %q: %w", c.Args[0], waitErr)
	}
	if !output.started && !w.cancelled {
		return code, fmt.Errorf("running %q: the step did not start in the job container (exit code %d): the image needs /bin/sh, and the container's user must be able to write %s", c.Args[0], code, outPath)
	}
	switch status, _ := os.ReadFile(pidFile); strings.TrimSpace(string(status)) {
	case "notfound":
		return code, fmt.Errorf("%w: %q is not in PATH %q in the job container; install it in the image or add its directory to the job's PATH",
			ErrProgramNotFound, c.Args[0], envValue(c.Env, "PATH", e.baseEnv["PATH"]))
	case "nodir":
		return code, fmt.Errorf("running %q: working directory %q does not exist in the job container or is not a directory", c.Args[0], c.Dir)
	}
	if copyErr != nil {
		return code, fmt.Errorf("copying output of %q: %w", c.Args[0], copyErr)
	}
	return code, nil
}

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
			// The stream ended, so the process is about to be reported
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

// drain waits for the output copy to finish, for at most drainDelay after
// the process exited, then closes the stream and waits for the copy to
// stop. Output still arriving after that is dropped.
func (w *execWait) drain(closeStream func()) error {
	if w.copyDone {
		return w.copyErr
	}
	timer := time.NewTimer(drainDelay)
	defer timer.Stop()
	select {
	case err := <-w.copied:
		return err
	case <-timer.C:
	}
	closeStream()
	<-w.copied
	return nil
}

// execState returns whether exec id still runs, and its exit code once it
// does not.
func (e *Environment) execState(ctx context.Context, id string) (code int, running bool, err error) {
	st, err := e.cli.ContainerExecInspect(ctx, id)
	if err != nil {
		if e.isClosed() {
			return -1, false, ErrClosed
		}
		return -1, false, fmt.Errorf("inspecting the process: %w", err)
	}
	return st.ExitCode, st.Running, nil
}

// awaitExit polls exec id until it exits or d passes.
func (e *Environment) awaitExit(ctx context.Context, id string, d time.Duration) (code int, exited bool, err error) {
	deadline := time.Now().Add(d)
	delay := time.Millisecond
	for {
		code, running, err := e.execState(ctx, id)
		if err != nil || !running {
			return code, err == nil, err
		}
		if time.Now().After(deadline) {
			return -1, false, nil
		}
		time.Sleep(delay)
		delay = min(2*delay, 50*time.Millisecond)
	}
}

// signal sends sig to the process group of pid in the job container, as
// root so that it reaches processes of any user. It does not wait for the
// signalling process to end; the caller watches the step itself.
func (e *Environment) signal(ctx context.Context, sig string, pid int) {
	ctx, cancel := context.WithTimeout(ctx, signalTimeout)
	defer cancel()
	_, _ = e.startDetached(ctx, "0", nil, signalArgs(sig, pid))
}

// startDetached starts args in the job container as user ("" for the
// container's user) with env on top of the container's environment, with
// no stream attached: Docker's engine holds the container while an
// attached process's output is open (a step's background process), which
// would delay the next step by seconds.
func (e *Environment) startDetached(ctx context.Context, user string, env, args []string) (string, error) {
	created, err := e.cli.ContainerExecCreate(ctx, e.jobID, container.ExecOptions{User: user, Env: env, Cmd: args})
	if err != nil {
		return "", fmt.Errorf("creating the process in the job container: %w", err)
	}
	if err := e.cli.ContainerExecStart(ctx, created.ID, container.ExecStartOptions{Detach: true}); err != nil {
		return "", fmt.Errorf("starting the process in the job container: %w", err)
	}
	return created.ID, nil
}

// run runs args in the job container as user, discarding output, and
// returns the exit code.
func (e *Environment) run(ctx context.Context, user string, args []string) (int, error) {
	return e.runOutput(ctx, user, args, io.Discard)
}

// runOutput runs args in the job container as user with stdout and stderr
// written to out, and returns the exit code.
func (e *Environment) runOutput(ctx context.Context, user string, args []string, out io.Writer) (int, error) {
	id, resp, err := e.startExec(ctx, user, nil, args)
	if err != nil {
		return -1, err
	}
	defer resp.Close()
	if _, err := stdcopy.StdCopy(out, out, resp.Reader); err != nil {
		return -1, fmt.Errorf("reading the output of %s: %w", args[0], err)
	}
	code, exited, err := e.awaitExit(ctx, id, exitWait)
	if err == nil && !exited {
		err = fmt.Errorf("%s did not exit", args[0])
	}
	return code, err
}

// startExec creates and starts an exec of args in the job container as
// user ("" for the container's user) with env on top of the container's
// environment, attached to its output.
func (e *Environment) startExec(ctx context.Context, user string, env, args []string) (string, types.HijackedResponse, error) {
	created, err := e.cli.ContainerExecCreate(ctx, e.jobID, container.ExecOptions{
		User: user, Env: env, Cmd: args, AttachStdout: true, AttachStderr: true,
	})
	if err != nil {
		return "", types.HijackedResponse{}, fmt.Errorf("creating the process in the job container: %w", err)
	}
	resp, err := e.cli.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{})
	if err != nil {
		return "", types.HijackedResponse{}, fmt.Errorf("starting the process in the job container: %w", err)
	}
	return created.ID, resp, nil
}

// envValue returns the value of the last key=value entry for key in env,
// or def.
func envValue(env []string, key, def string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v
		}
	}
	return def
}
