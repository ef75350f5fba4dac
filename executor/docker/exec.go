package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
		return "", fmt.Errorf("creating the process in the job container: %w%s", err, e.whyStopped(ctx))
	}
	if err := e.cli.ContainerExecStart(ctx, created.ID, container.ExecStartOptions{Detach: true}); err != nil {
		return "", fmt.Errorf("starting the process in the job container: %w%s", err, e.whyStopped(ctx))
	}
	return created.ID, nil
}

// whyStopped explains a job container that is no longer running, or
// returns "". It is called after a failed exec: a container that is dying
// can fail the exec before the engine reports it stopped, so it first
// gives the container a moment to leave the running state.
func (e *Environment) whyStopped(ctx context.Context) string {
	settle, cancel := context.WithTimeout(ctx, 3*time.Second)
	waitC, errC := e.cli.ContainerWait(settle, e.jobID, container.WaitConditionNotRunning)
	select {
	case <-waitC:
	case <-errC:
	}
	cancel()
	info, err := e.cli.ContainerInspect(ctx, e.jobID)
	if err != nil || info.State == nil || info.State.Running {
		return ""
	}
	why := fmt.Sprintf("; the job container stopped with exit code %d", info.State.ExitCode)
	if info.State.OOMKilled {
		why += " (out of memory)"
	}
	if info.State.ExitCode == 127 {
		why += ": the image needs tail and sh"
	}
	return why
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
