package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"

	"codeberg.org/anvil-ci/anvil/executor"
)

// RunContainerAction runs a docker action or docker:// step in a container
// of its own, from a.Image or from the image built from a.Dockerfile. It
// sees the job's directories at the same paths as the job container, and
// the services on the job network. Output goes to out as with Exec; on
// cancellation the container gets SIGINT, then SIGKILL after the grace
// period. The container is removed afterwards.
func (e *Environment) RunContainerAction(ctx context.Context, a executor.ContainerAction, out io.Writer) (int, error) {
	if e.isClosed() {
		return -1, ErrClosed
	}
	ref := a.Image
	if a.Dockerfile != "" {
		tag, err := buildImage(ctx, e.cli, a.Dockerfile, e.cfg.ForcePull)
		if err != nil {
			return -1, err
		}
		ref = tag
	} else if err := ensureImage(ctx, e.cli, ref, e.cfg.ForcePull, nil); err != nil {
		return -1, err
	}
	c, h, n, err := actionConfig(e.cfg, e.spec, a, ref, e.mounts, e.network, e.baseEnv)
	if err != nil {
		return -1, err
	}
	bg := context.WithoutCancel(ctx)
	id, err := e.createContainer(bg, c, h, n, resourceName(e.prefix, "action", fmt.Sprint(e.seq.Add(1))), roleAction)
	if err != nil {
		return -1, fmt.Errorf("creating the action container from %s: %w", ref, err)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(bg, cleanupTimeout)
		defer cancel()
		if removeContainer(rctx, e.cli, id, false, 0) == nil {
			e.untrack(id)
		}
	}()
	resp, err := e.cli.ContainerAttach(bg, id, container.AttachOptions{Stream: true, Stdout: true, Stderr: true})
	if err != nil {
		return -1, fmt.Errorf("attaching to the action container: %w", err)
	}
	defer resp.Close()
	waitC, waitErr := e.cli.ContainerWait(bg, id, container.WaitConditionNextExit)
	if err := e.cli.ContainerStart(bg, id, container.StartOptions{}); err != nil {
		return -1, fmt.Errorf("starting the action container from %s: %w", ref, err)
	}
	copied := make(chan error, 1)
	go func() {
		_, err := stdcopy.StdCopy(out, out, resp.Reader)
		copied <- err
	}()
	code, err := e.awaitContainer(ctx, id, waitC, waitErr)
	copyErr := drainOutput(copied, resp.Close)
	if err != nil {
		return code, fmt.Errorf("running the action container from %s: %w", ref, err)
	}
	if copyErr != nil && !errors.Is(copyErr, net.ErrClosed) {
		return code, fmt.Errorf("copying the output of the action container: %w", copyErr)
	}
	return code, nil
}

// awaitContainer waits for a started container to exit; on cancellation
// of ctx it sends SIGINT, then SIGKILL after the grace period.
func (e *Environment) awaitContainer(ctx context.Context, id string, waitC <-chan container.WaitResponse, waitErr <-chan error) (int, error) {
	result := func(r container.WaitResponse) (int, error) {
		if r.Error != nil && r.Error.Message != "" {
			return int(r.StatusCode), errors.New(r.Error.Message)
		}
		return int(r.StatusCode), nil
	}
	select {
	case r := <-waitC:
		return result(r)
	case err := <-waitErr:
		return -1, err
	case <-ctx.Done():
	}
	bg := context.WithoutCancel(ctx)
	_ = e.cli.ContainerKill(bg, id, "INT")
	grace := time.NewTimer(e.cfg.Grace)
	defer grace.Stop()
	select {
	case r := <-waitC:
		return result(r)
	case err := <-waitErr:
		return -1, err
	case <-grace.C:
	}
	_ = e.cli.ContainerKill(bg, id, "KILL")
	select {
	case r := <-waitC:
		return result(r)
	case err := <-waitErr:
		return -1, err
	case <-time.After(exitWait):
		return -1, fmt.Errorf("the container did not exit %s after SIGKILL", exitWait)
	}
}
