package docker

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/go-connections/nat"

	"codeberg.org/anvil-ci/anvil/executor"
)

// Labels every resource of this package carries.
const (
	// LabelManaged marks containers, networks and volumes created by
	// anvil's Docker backend (value "true"); Cleanup looks for it.
	LabelManaged = "anvil.managed"
	// LabelOwner names the process that created a resource
	// (Config.Owner).
	LabelOwner = "anvil.owner"
	// LabelRole says what a container is: job, service or action.
	LabelRole = "anvil.role"
)

// Container roles (LabelRole values).
const (
	roleJob     = "job"
	roleService = "service"
	roleAction  = "action"
)

// socketPath is where a unix Docker socket from Config.DockerHost is
// mounted in job containers.
const socketPath = "/var/run/docker.sock"

// keepAlive is the job container's command: it only has to stay up while
// steps run through docker exec. With Init, a stop ends it at once.
var keepAlive = []string{"tail", "-f", "/dev/null"}

// labels returns the labels for a resource of the job: the job spec's and
// the configuration's, then this package's own, which win.
func labels(cfg Config, spec executor.JobSpec, role string) map[string]string {
	out := map[string]string{}
	maps.Copy(out, spec.Labels)
	maps.Copy(out, cfg.Labels)
	out[LabelManaged] = "true"
	out[LabelOwner] = cfg.Owner
	if role != "" {
		out[LabelRole] = role
	}
	return out
}

// containerInput is everything containerConfig needs for one container.
type containerInput struct {
	role  string
	alias string // the service id: its host name on the job network
	spec  *executor.ContainerSpec
	opts  *runOptions
	// network is the job network's name, or "" for Docker's default.
	network string
	labels  map[string]string
	// mounts are the job's directories (and anvil) for job and action
	// containers, the workspace for services.
	mounts []mount.Mount
	// volumes gives the Docker volume for each volume name or anonymous
	// volume of the spec and options (see planVolumes).
	volumes map[string]string
}

// containerConfig translates a job or service container into the Docker
// API's create values, applying cfg's limits and policies.
func containerConfig(cfg Config, in containerInput) (*container.Config, *container.HostConfig, *network.NetworkingConfig, error) {
	spec, o := in.spec, in.opts
	if o == nil {
		o = &runOptions{}
	}
	what := "container"
	if in.role == roleService {
		what = "services." + in.alias
	}
	env := envList(spec.Env)
	for _, e := range o.Env {
		if strings.Contains(e, "=") {
			env = append(env, e)
		}
	}
	c := &container.Config{
		Image:      spec.Image,
		Env:        env,
		Labels:     map[string]string{},
		User:       o.User,
		WorkingDir: o.Workdir,
		Hostname:   o.Hostname,
	}
	for _, l := range o.Labels {
		k, v, _ := strings.Cut(l, "=")
		c.Labels[k] = v
	}
	maps.Copy(c.Labels, in.labels)
	h := &container.HostConfig{
		Mounts:         append([]mount.Mount{}, in.mounts...),
		ExtraHosts:     o.AddHosts,
		ReadonlyRootfs: o.ReadOnly,
		CapDrop:        o.CapDrop,
		ShmSize:        o.ShmSize,
	}
	switch in.role {
	case roleJob:
		c.Entrypoint = keepAlive
		c.Cmd = nil
		c.WorkingDir = ""
		h.Init = ptr(true)
	default:
		if o.Entrypoint != "" {
			c.Entrypoint = []string{o.Entrypoint}
		}
		if len(spec.Cmd) > 0 {
			c.Cmd = spec.Cmd
		}
		if o.Init {
			h.Init = ptr(true)
		}
	}
	if err := cfg.policy().CheckPrivileged(what, o); err != nil {
		return nil, nil, nil, err
	}
	h.CapAdd = o.CapAdd
	h.Privileged = cfg.Privileged || o.Privileged
	if err := resources(cfg, o, what, &h.Resources); err != nil {
		return nil, nil, nil, err
	}
	if len(o.Tmpfs) > 0 {
		h.Tmpfs = map[string]string{}
		for _, t := range o.Tmpfs {
			dst, opts, _ := strings.Cut(t, ":")
			h.Tmpfs[dst] = opts
		}
	}
	hc, err := healthConfig(o.Health)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s.options: %w", what, err)
	}
	c.Healthcheck = hc
	exposed, bindings, err := nat.ParsePortSpecs(append(append([]string{}, spec.Ports...), o.Publish...))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%w: %s.ports: %v", ErrBadOptions, what, err)
	}
	for _, p := range o.Expose {
		port, err := nat.NewPort(nat.SplitProtoPort(p))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%w: %s.options --expose %s: %v", ErrBadOptions, what, p, err)
		}
		exposed[port] = struct{}{}
	}
	if len(exposed) > 0 {
		c.ExposedPorts = exposed
		h.PortBindings = bindings
	}
	vols, err := volumeMounts(cfg, append(append([]string{}, spec.Volumes...), o.Volumes...), in.volumes, what)
	if err != nil {
		return nil, nil, nil, err
	}
	h.Mounts = append(h.Mounts, vols...)
	if in.role != roleService {
		c.Env, h.Mounts = dockerAccess(cfg.DockerHost, c.Env, h.Mounts)
	}
	netCfg := &network.NetworkingConfig{}
	if in.network != "" {
		h.NetworkMode = container.NetworkMode(in.network)
		ep := &network.EndpointSettings{}
		if in.alias != "" {
			ep.Aliases = append([]string{in.alias}, o.NetworkAlias...)
		}
		netCfg.EndpointsConfig = map[string]*network.EndpointSettings{in.network: ep}
	}
	return c, h, netCfg, nil
}

// actionConfig translates a docker action's container into the Docker
// API's create values: image ref, the job's mounts and network, the
// step's environment without what the job container's own environment
// put there.
func actionConfig(cfg Config, spec executor.JobSpec, a executor.ContainerAction, ref string, mounts []mount.Mount, netName string, base map[string]string) (*container.Config, *container.HostConfig, *network.NetworkingConfig, error) {
	c := &container.Config{
		Image:        ref,
		Env:          actionEnv(a.Env, base),
		WorkingDir:   a.Dir,
		Labels:       labels(cfg, spec, roleAction),
		AttachStdout: true,
		AttachStderr: true,
	}
	if a.Entrypoint != "" {
		c.Entrypoint = []string{a.Entrypoint}
	}
	if len(a.Args) > 0 {
		c.Cmd = a.Args
	}
	h := &container.HostConfig{Mounts: append([]mount.Mount{}, mounts...), Init: ptr(true), Privileged: cfg.Privileged}
	if err := resources(cfg, &runOptions{}, "action", &h.Resources); err != nil {
		return nil, nil, nil, err
	}
	c.Env, h.Mounts = dockerAccess(cfg.DockerHost, c.Env, h.Mounts)
	n := &network.NetworkingConfig{}
	if netName != "" {
		h.NetworkMode = container.NetworkMode(netName)
	}
	return c, h, n, nil
}

// resources applies the configured limits and the options within them.
func resources(cfg Config, o *runOptions, what string, r *container.Resources) error {
	if err := cfg.policy().CheckResources(what, o); err != nil {
		return err
	}
	memory := cfg.Memory
	if o.Memory > 0 {
		memory = o.Memory
	}
	cpus := cfg.CPUs
	if o.CPUs > 0 {
		cpus = o.CPUs
	}
	r.Memory = memory
	if o.MemorySwap != 0 {
		r.MemorySwap = o.MemorySwap
	}
	r.NanoCPUs = int64(cpus * 1e9)
	r.CPUShares = o.CPUShares
	if o.PidsLimit != 0 {
		r.PidsLimit = ptr(o.PidsLimit)
	}
	return nil
}

// healthConfig translates the --health-* options; nil keeps the image's.
func healthConfig(h healthOptions) (*container.HealthConfig, error) {
	if h.None {
		if h.Cmd != "" {
			return nil, fmt.Errorf("%w: --no-healthcheck conflicts with --health-cmd", ErrBadOptions)
		}
		return &container.HealthConfig{Test: []string{"NONE"}}, nil
	}
	if h.Cmd == "" && h.Interval == 0 && h.Timeout == 0 && h.StartPeriod == 0 && h.Retries == 0 {
		return nil, nil
	}
	hc := &container.HealthConfig{Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: h.Retries}
	if h.Cmd != "" {
		hc.Test = []string{"CMD-SHELL", h.Cmd}
	}
	return hc, nil
}

// dockerAccess gives a container the configured Docker engine.
func dockerAccess(host string, env []string, mounts []mount.Mount) ([]string, []mount.Mount) {
	if host == "" {
		return env, mounts
	}
	if sock, ok := strings.CutPrefix(host, "unix://"); ok {
		mounts = append(mounts, mount.Mount{Type: mount.TypeBind, Source: sock, Target: socketPath})
		return append(env, "DOCKER_HOST=unix://"+socketPath), mounts
	}
	return append(env, "DOCKER_HOST="+host), mounts
}

// jobMounts are the bind mounts of the job's directories, plus anvil
// itself (read-only) as binDir/anvil when selfBinary is set.
func jobMounts(l layout, selfBinary, binDir string) []mount.Mount {
	var out []mount.Mount
	for i := len(l.binds) - 1; i >= 0; i-- { // parents before children
		b := l.binds[i]
		out = append(out, mount.Mount{Type: mount.TypeBind, Source: b.host, Target: b.container})
	}
	if selfBinary != "" && binDir != "" {
		if dir, ok := l.path(binDir); ok {
			out = append(out, mount.Mount{Type: mount.TypeBind, Source: selfBinary, Target: path.Join(dir, "anvil"), ReadOnly: true})
		}
	}
	return out
}

// serviceMounts is the workspace, which services share with the job.
func serviceMounts(l layout) []mount.Mount {
	if l.shared.host == "" {
		return nil
	}
	return []mount.Mount{{Type: mount.TypeBind, Source: l.shared.host, Target: l.shared.container}}
}

// portsContext turns a container's published ports into
// job.services.<id>.ports: container port (without /tcp) to host port.
func portsContext(ports nat.PortMap) map[string]any {
	out := map[string]any{}
	for p, bindings := range ports {
		for _, b := range bindings {
			if b.HostPort == "" {
				continue
			}
			key := p.Port()
			if p.Proto() != "tcp" {
				key = string(p)
			}
			out[key] = b.HostPort
			break
		}
	}
	return out
}

// envList turns a map into a sorted KEY=VALUE list.
func envList(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// envMap turns a KEY=VALUE list into a map, later entries winning.
func envMap(list []string) map[string]string {
	out := make(map[string]string, len(list))
	for _, kv := range list {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k] = v
		}
	}
	return out
}

// resourceName makes a Docker object name from parts.
func resourceName(parts ...string) string {
	s := strings.Join(parts, "-")
	s = unsafeName().ReplaceAllString(s, "_")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

var unsafeName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^a-zA-Z0-9_.-]+`) })

func ptr[T any](v T) *T { return &v }
