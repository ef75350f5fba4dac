package docker

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"

	"codeberg.org/anvil-ci/anvil/executor"
)

// Environment is one job's containers. Exec calls run one at a time;
// Close may run concurrently with them.
type Environment struct {
	cli    Client
	cfg    Config
	spec   executor.JobSpec
	layout layout
	// prefix names the job's containers, network and volumes.
	prefix string
	// stateDir (under the job root) holds the pid files and output FIFOs
	// of running steps and copies of directories from outside the root.
	stateDir string

	// Set by Prepare, read-only afterwards.
	jobID      string // the job container
	imageID    string // its image
	programs   *programCache
	network    string // the job network, "" when the job has none
	mounts     []mount.Mount
	jobVolumes map[string]string
	baseEnv    map[string]string
	hostAddr   string // the job network's gateway: this machine as the job sees it
	ctxJob     map[string]any
	ctxSvcs    map[string]any

	seq atomic.Int64

	mu         sync.Mutex
	closed     bool
	containers map[string]string // id -> role, everything to remove
	networks   []string
	volumes    []string
	ext        map[string]string // host path -> container path of copies
}

var (
	_ executor.Environment           = (*Environment)(nil)
	_ executor.ProgramFinder         = (*Environment)(nil)
	_ executor.ContainerActionRunner = (*Environment)(nil)
	_ executor.JobContextProvider    = (*Environment)(nil)
	_ executor.BaseEnvProvider       = (*Environment)(nil)
	_ executor.HostAddresser         = (*Environment)(nil)
)

// track records a created container for Close. It fails when the
// Environment was closed meanwhile; the caller removes the container.
func (e *Environment) track(id, role string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	e.containers[id] = role
	return nil
}

// untrack forgets a container removed before Close.
func (e *Environment) untrack(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.containers, id)
}

// isClosed reports whether Close was called.
func (e *Environment) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// Path returns hostPath as the job's containers see it. Paths in the job
// root are mounted; a file or directory elsewhere on this machine (a
// remote action's checkout) is copied into the job root on first use.
// Paths that do not exist here are returned unchanged.
func (e *Environment) Path(hostPath string) string {
	if p, ok := e.layout.path(hostPath); ok {
		return p
	}
	if !filepath.IsAbs(hostPath) {
		return hostPath
	}
	clean := filepath.Clean(hostPath)
	e.mu.Lock()
	defer e.mu.Unlock()
	if p, ok := e.ext[clean]; ok {
		return p
	}
	if _, err := os.Stat(clean); err != nil {
		return hostPath
	}
	dst := filepath.Join(e.stateDir, "ext", fmt.Sprint(len(e.ext)+1), filepath.Base(clean))
	if err := executor.CopyTree(context.Background(), clean, dst, ""); err != nil {
		return hostPath
	}
	p, _ := e.layout.path(dst)
	e.ext[clean] = p
	return p
}

// JobContext returns job.container (id, network) and job.services (id,
// network, ports by container port).
func (e *Environment) JobContext() (map[string]any, map[string]any) {
	return maps.Clone(e.ctxJob), maps.Clone(e.ctxSvcs)
}

// BaseEnv is the job container's own environment: the image's and the
// job's container.env.
func (e *Environment) BaseEnv() map[string]string { return maps.Clone(e.baseEnv) }

// HasProgram reports whether name is on the PATH list path in the job
// container. Programs found in the image (not in the job's directories)
// are remembered for every job of the same image.
func (e *Environment) HasProgram(ctx context.Context, name, path string) bool {
	key := e.imageID + "\x00" + name + "\x00" + path
	if e.programs.known(key) {
		return true
	}
	var out strings.Builder
	code, err := e.runOutput(ctx, "", hasProgramArgs(name, path), &out)
	if err != nil || code != 0 {
		return false
	}
	if found := strings.TrimSpace(out.String()); e.imageID != "" && strings.HasPrefix(found, "/") {
		if _, inJob := e.layout.hostPath(found); !inJob {
			e.programs.add(key)
		}
	}
	return true
}

// programCache remembers programs found in images, by image id, name and
// PATH. It is shared by the jobs of a Backend.
type programCache struct {
	mu    sync.Mutex
	found map[string]bool
}

func (c *programCache) known(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.found[key]
}

func (c *programCache) add(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.found == nil {
		c.found = map[string]bool{}
	}
	c.found[key] = true
}

// Close removes the job's containers (services get Config.Grace to stop),
// network and volumes. Later Exec calls fail with ErrClosed. Close is
// idempotent and safe after a failed Prepare.
func (e *Environment) Close(ctx context.Context) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	containers := maps.Clone(e.containers)
	networks, volumes := e.networks, e.volumes
	e.containers, e.networks, e.volumes = nil, nil, nil
	e.mu.Unlock()

	if e.jobID != "" {
		e.giveBackFiles(ctx)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for id, role := range containers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := removeContainer(ctx, e.cli, id, role == roleService, e.cfg.Grace); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, n := range networks {
		if err := e.cli.NetworkRemove(ctx, n); err != nil && !isNotFound(err) {
			errs = append(errs, fmt.Errorf("removing network %s: %w", n, err))
		}
	}
	for _, v := range volumes {
		if err := e.cli.VolumeRemove(ctx, v, true); err != nil && !isNotFound(err) {
			errs = append(errs, fmt.Errorf("removing volume %s: %w", v, err))
		}
	}
	return errors.Join(errs...)
}

// removeContainer removes a container, first stopping it with grace when
// stop is set (SIGTERM, then SIGKILL).
func removeContainer(ctx context.Context, cli Client, id string, stop bool, grace time.Duration) error {
	if stop {
		secs := int((grace + time.Second - 1) / time.Second)
		// A failed stop leaves the container to the forced removal.
		_ = cli.ContainerStop(ctx, id, container.StopOptions{Timeout: &secs})
	}
	err := cli.ContainerRemove(ctx, id, container.RemoveOptions{Force: true, RemoveVolumes: true})
	if err != nil && !isNotFound(err) && !isRemovalInProgress(err) {
		return fmt.Errorf("removing container %s: %w", shortID(id), err)
	}
	return nil
}

// giveBackFiles hands the files the containers created in the job's
// directories to the user running anvil, so that it can remove them.
// Only needed when anvil does not run as root.
func (e *Environment) giveBackFiles(ctx context.Context) {
	uid, gid := os.Getuid(), os.Getgid()
	if uid <= 0 {
		return
	}
	var dirs []string
	for _, b := range e.layout.binds {
		dirs = append(dirs, b.container)
	}
	args := append([]string{"chown", "-R", fmt.Sprintf("%d:%d", uid, gid)}, dirs...)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, _ = e.run(ctx, "0", args)
}

// shortID shortens a container id for messages.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
