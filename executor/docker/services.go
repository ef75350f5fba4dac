package docker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"
)

// healthPoll is the longest pause between two looks at a starting service.
const healthPoll = time.Second

// service is a started service container.
type service struct {
	name  string // the service id, its host name on the job network
	id    string
	ports map[string]any
}

// startServices creates and starts the service containers, in parallel.
func (e *Environment) startServices(ctx context.Context, ids []string, opts map[string]*runOptions) ([]*service, error) {
	svcs := make([]*service, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, name := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svcs[i], errs[i] = e.startService(ctx, name, opts[name])
		}()
	}
	wg.Wait()
	return svcs, errors.Join(errs...)
}

// startService creates and starts one service container.
func (e *Environment) startService(ctx context.Context, name string, o *runOptions) (*service, error) {
	spec := e.spec.Services[name]
	c, h, n, err := containerConfig(e.cfg, containerInput{
		role: roleService, alias: name, spec: spec, opts: o, network: e.network,
		labels: labels(e.cfg, e.spec, roleService), mounts: serviceMounts(e.layout), volumes: e.jobVolumes,
	})
	if err != nil {
		return nil, err
	}
	id, err := e.createContainer(ctx, c, h, n, resourceName(e.prefix, "svc", name), roleService)
	if err != nil {
		return nil, fmt.Errorf("creating service %q from %s: %w", name, spec.Image, err)
	}
	if err := e.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		return nil, fmt.Errorf("starting service %q from %s: %w", name, spec.Image, err)
	}
	return &service{name: name, id: id}, nil
}

// awaitServices waits until every service runs and, when it has a health
// check, is healthy, for at most Config.HealthTimeout. It fills in the
// services' published ports.
func (e *Environment) awaitServices(ctx context.Context, svcs []*service) error {
	if len(svcs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, e.cfg.HealthTimeout)
	defer cancel()
	errs := make([]error, len(svcs))
	var wg sync.WaitGroup
	for i, s := range svcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = e.awaitService(ctx, s)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// awaitService waits for one service; see awaitServices.
func (e *Environment) awaitService(ctx context.Context, s *service) error {
	delay := 50 * time.Millisecond
	status := "starting"
	for {
		info, err := e.cli.ContainerInspect(ctx, s.id)
		switch {
		case err != nil && ctx.Err() != nil:
			return e.notHealthy(ctx, s, status)
		case err != nil:
			return fmt.Errorf("inspecting service %q: %w", s.name, err)
		}
		if info.NetworkSettings != nil {
			s.ports = portsContext(info.NetworkSettings.Ports)
		}
		st := info.State
		switch {
		case st == nil:
		case !st.Running:
			return fmt.Errorf("%w: service %q exited with code %d before the first step%s", ErrUnhealthy, s.name, st.ExitCode, e.logTail(s.id))
		case st.Health == nil || st.Health.Status == container.NoHealthcheck || st.Health.Status == container.Healthy:
			return nil
		case st.Health.Status == container.Unhealthy:
			return fmt.Errorf("%w: service %q is unhealthy: %s; check its image, env and health options", ErrUnhealthy, s.name, lastProbe(st.Health))
		default:
			status = fmt.Sprintf("%s, last check: %s", st.Health.Status, lastProbe(st.Health))
		}
		select {
		case <-ctx.Done():
			return e.notHealthy(ctx, s, status)
		case <-time.After(delay):
		}
		delay = min(2*delay, healthPoll)
	}
}

// notHealthy is the error for a service still starting when ctx ended.
func (e *Environment) notHealthy(ctx context.Context, s *service, status string) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w: service %q is not healthy after %s (%s); check its health options or raise the runner's health timeout", ErrUnhealthy, s.name, e.cfg.HealthTimeout, status)
	}
	return fmt.Errorf("waiting for service %q: %w", s.name, ctx.Err())
}

// lastProbe describes the last health check result.
func lastProbe(h *container.Health) string {
	if h == nil || len(h.Log) == 0 {
		return "no check has run yet"
	}
	p := h.Log[len(h.Log)-1]
	out := strings.TrimSpace(p.Output)
	if len(out) > 500 {
		out = out[:500] + "..."
	}
	if out == "" {
		return fmt.Sprintf("exit code %d", p.ExitCode)
	}
	return fmt.Sprintf("exit code %d: %s", p.ExitCode, out)
}

// logTail returns the last lines of a container's output for an error
// message, or "".
func (e *Environment) logTail(id string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rc, err := e.cli.ContainerLogs(ctx, id, container.LogsOptions{ShowStdout: true, ShowStderr: true, Tail: "20"})
	if err != nil {
		return ""
	}
	defer rc.Close()
	var t tailBuffer
	if _, err := stdcopy.StdCopy(&t, &t, rc); err != nil && t.String() == "" {
		return ""
	}
	if s := t.String(); s != "" {
		return "; its last output:\n" + s
	}
	return ""
}
