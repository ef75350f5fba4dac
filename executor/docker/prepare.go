package docker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"

	"codeberg.org/anvil-ci/anvil/executor"
)

// cleanupTimeout bounds the removal of what a failed Prepare created.
const cleanupTimeout = time.Minute

// Prepare pulls the images it needs, creates the job's volumes, its
// network and service containers when it has services, and starts the job
// container; it waits for the services to be healthy. Whatever fails, it
// removes what it created before returning the error.
func (b *Backend) Prepare(ctx context.Context, spec executor.JobSpec) (executor.Environment, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("preparing the containers of job %q: %w", spec.JobID, err)
	}
	if spec.Container == nil || spec.Container.Image == "" {
		return nil, fmt.Errorf("preparing the containers of job %q: the job has no container image: map its runs-on label to docker://IMAGE or give the job a container: key", spec.JobID)
	}
	l, err := newLayout(spec, b.cfg.WorkdirParent)
	if err != nil {
		return nil, fmt.Errorf("preparing the containers of job %q: %w", spec.JobID, err)
	}
	e := &Environment{
		cli: b.cli, cfg: b.cfg, spec: spec, layout: l,
		prefix:     resourceName("anvil", spec.JobID, randomHex(4)),
		stateDir:   filepath.Join(spec.Root, ".docker"),
		containers: map[string]string{},
		ext:        map[string]string{},
		programs:   &b.programs,
	}
	for _, dir := range []string{spec.Root, spec.Workspace, spec.Temp, spec.BinDir, e.stateDir} {
		if dir == "" {
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating job directory %q: %w", dir, err)
		}
	}
	// Steps of a container running as another user write their pid files
	// here too.
	if err := os.Chmod(e.stateDir, 0o777); err != nil {
		return nil, fmt.Errorf("opening the job's state directory to the container's user: %w", err)
	}
	if err := e.start(ctx); err != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		if cerr := e.Close(cctx); cerr != nil {
			err = fmt.Errorf("%w (and cleaning up: %v)", err, cerr)
		}
		return nil, err
	}
	return e, nil
}

// start creates and starts everything of the job, recording each resource
// for Close as soon as it exists.
func (e *Environment) start(ctx context.Context) error {
	spec, cfg := e.spec, e.cfg
	jobOpts, err := parseOptionsAfter("container", cfg.Options, spec.Container.Options)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(spec.Services))
	for id := range spec.Services {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	svcOpts := map[string]*runOptions{}
	lists := map[string][]string{"container": append(append([]string{}, spec.Container.Volumes...), jobOpts.Volumes...)}
	for _, id := range ids {
		o, err := parseOptions("services."+id, spec.Services[id].Options)
		if err != nil {
			return err
		}
		svcOpts[id] = o
		lists["services."+id] = append(append([]string{}, spec.Services[id].Volumes...), o.Volumes...)
	}
	if e.jobVolumes, err = planVolumes(cfg, e.prefix, lists); err != nil {
		return err
	}
	if err := e.pullAll(ctx, ids); err != nil {
		return err
	}
	if err := e.createVolumes(ctx); err != nil {
		return err
	}
	switch {
	case cfg.Network != "":
		e.network = cfg.Network
	case len(ids) > 0:
		e.network = e.prefix
		if _, err := e.cli.NetworkCreate(ctx, e.network, network.CreateOptions{Driver: "bridge", Labels: labels(cfg, spec, "")}); err != nil {
			return fmt.Errorf("creating the job network: %w", err)
		}
		e.mu.Lock()
		e.networks = append(e.networks, e.network)
		e.mu.Unlock()
	}
	svcs, err := e.startServices(ctx, ids, svcOpts)
	if err != nil {
		return err
	}
	e.mounts = jobMounts(e.layout, spec.SelfBinary, spec.BinDir)
	c, h, n, err := containerConfig(cfg, containerInput{
		role: roleJob, spec: spec.Container, opts: jobOpts, network: e.network,
		labels: labels(cfg, spec, roleJob), mounts: e.mounts, volumes: e.jobVolumes,
	})
	if err != nil {
		return err
	}
	id, err := e.createContainer(ctx, c, h, n, e.prefix+"-job", roleJob)
	if err != nil {
		return fmt.Errorf("creating the job container from %s: %w", spec.Container.Image, err)
	}
	e.jobID = id
	if err := e.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		return fmt.Errorf("starting the job container from %s: %w", spec.Container.Image, err)
	}
	info, err := e.cli.ContainerInspect(ctx, id)
	if err != nil {
		return fmt.Errorf("inspecting the job container: %w", err)
	}
	if info.State != nil && !info.State.Running {
		return fmt.Errorf("the job container from %s exited at once with code %d: the image needs tail and sh to host steps%s", spec.Container.Image, info.State.ExitCode, e.logTail(id))
	}
	e.imageID = info.Image
	e.hostAddr = gatewayOf(info)
	e.baseEnv = envMap(info.Config.Env)
	if e.baseEnv["PATH"] == "" {
		e.baseEnv["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	}
	netName := e.network
	if netName == "" {
		netName = "bridge"
	}
	e.ctxJob = map[string]any{"id": id, "network": netName}
	e.ctxSvcs = map[string]any{}
	if err := e.awaitServices(ctx, svcs); err != nil {
		return err
	}
	for _, s := range svcs {
		e.ctxSvcs[s.name] = map[string]any{"id": s.id, "network": netName, "ports": s.ports}
	}
	return nil
}

// pullAll makes the job's and the services' images available, in
// parallel.
func (e *Environment) pullAll(ctx context.Context, ids []string) error {
	type want struct {
		ref   string
		creds map[string]string
	}
	wants := []want{{e.spec.Container.Image, e.spec.Container.Credentials}}
	for _, id := range ids {
		s := e.spec.Services[id]
		if s.Image == "" {
			return fmt.Errorf("services.%s: no image given", id)
		}
		wants = append(wants, want{s.Image, s.Credentials})
	}
	errs := make([]error, len(wants))
	var wg sync.WaitGroup
	seen := map[string]bool{}
	for i, w := range wants {
		if seen[w.ref] {
			continue
		}
		seen[w.ref] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = ensureImage(ctx, e.cli, w.ref, e.cfg.ForcePull, w.creds)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// createVolumes creates the job's own volumes.
func (e *Environment) createVolumes(ctx context.Context) error {
	names := make([]string, 0, len(e.jobVolumes))
	for _, n := range e.jobVolumes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := e.cli.VolumeCreate(ctx, volume.CreateOptions{Name: n, Labels: labels(e.cfg, e.spec, "")}); err != nil {
			return fmt.Errorf("creating volume %s: %w", n, err)
		}
		e.mu.Lock()
		e.volumes = append(e.volumes, n)
		e.mu.Unlock()
	}
	return nil
}

// createContainer creates a container and records it for Close.
func (e *Environment) createContainer(ctx context.Context, c *container.Config, h *container.HostConfig, n *network.NetworkingConfig, name, role string) (string, error) {
	resp, err := e.cli.ContainerCreate(ctx, c, h, n, nil, name)
	if err != nil {
		return "", err
	}
	if err := e.track(resp.ID, role); err != nil {
		_ = removeContainer(context.WithoutCancel(ctx), e.cli, resp.ID, false, 0)
		return "", err
	}
	return resp.ID, nil
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
