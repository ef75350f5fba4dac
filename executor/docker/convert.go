package docker

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"sort"
	"strings"

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
	// containers.
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
	if o.Privileged || len(o.CapAdd) > 0 {
		if !cfg.Privileged {
			return nil, nil, nil, fmt.Errorf("%w: %s.options asks for --privileged or --cap-add; the runner allows them only with container.privileged", ErrNotAllowed, what)
		}
		h.CapAdd = o.CapAdd
	}
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
	memory := cfg.Memory
	if o.Memory > 0 {
		if cfg.Memory > 0 && o.Memory > cfg.Memory {
			return fmt.Errorf("%w: %s.options asks for --memory %d bytes; the runner allows at most %d", ErrNotAllowed, what, o.Memory, cfg.Memory)
		}
		memory = o.Memory
	}
	cpus := cfg.CPUs
	if o.CPUs > 0 {
		if cfg.CPUs > 0 && o.CPUs > cfg.CPUs {
			return fmt.Errorf("%w: %s.options asks for --cpus %g; the runner allows at most %g", ErrNotAllowed, what, o.CPUs, cfg.CPUs)
		}
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

// volumeSpec is one parsed volumes: entry.
type volumeSpec struct {
	// source is a host path (absolute), a volume name, or "" for an
	// anonymous volume.
	source, target string
	readOnly       bool
}

// parseVolume reads SOURCE:TARGET[:MODE] or TARGET.
func parseVolume(s string) (volumeSpec, error) {
	parts := strings.Split(s, ":")
	var v volumeSpec
	switch len(parts) {
	case 1:
		v.target = parts[0]
	case 2:
		v.source, v.target = parts[0], parts[1]
	case 3:
		v.source, v.target = parts[0], parts[1]
		for _, m := range strings.Split(parts[2], ",") {
			switch m {
			case "ro", "readonly":
				v.readOnly = true
			case "rw", "z", "Z", "":
			default:
				return v, fmt.Errorf("volume %q: unsupported mode %q (use ro or rw)", s, m)
			}
		}
	default:
		return v, fmt.Errorf("volume %q: write it as SOURCE:TARGET[:ro] or TARGET", s)
	}
	if !path.IsAbs(v.target) {
		return v, fmt.Errorf("volume %q: the target %q must be an absolute path in the container", s, v.target)
	}
	if v.source != "" && !path.IsAbs(v.source) && !validVolumeName.MatchString(v.source) {
		return v, fmt.Errorf("volume %q: the source must be an absolute host path or a volume name", s)
	}
	return v, nil
}

// validVolumeName is what Docker accepts as a volume name.
var validVolumeName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// jobVolumeKey is the key of an anonymous volume in the volumes map.
func jobVolumeKey(what string, v volumeSpec) string {
	if v.source == "" {
		return what + ":" + v.target
	}
	return v.source
}

// planVolumes lists the volumes the job must create for its containers'
// volume lists: names not allowed as shared volumes by ValidVolumes get a
// job volume, as does each anonymous volume. It returns the key of each
// (see jobVolumeKey) with its Docker name.
func planVolumes(cfg Config, prefix string, lists map[string][]string) (map[string]string, error) {
	out := map[string]string{}
	whats := make([]string, 0, len(lists))
	for w := range lists {
		whats = append(whats, w)
	}
	sort.Strings(whats)
	n := 0
	for _, what := range whats {
		for _, s := range lists[what] {
			v, err := parseVolume(s)
			if err != nil {
				return nil, fmt.Errorf("%w: %s.volumes: %v", ErrBadOptions, what, err)
			}
			key := jobVolumeKey(what, v)
			switch {
			case path.IsAbs(v.source):
				continue
			case v.source != "" && matchAny(cfg.ValidVolumes, v.source):
				continue
			case out[key] != "":
				continue
			case v.source == "":
				n++
				out[key] = fmt.Sprintf("%s-anon-%d", prefix, n)
			default:
				out[key] = prefix + "-" + v.source
			}
		}
	}
	return out, nil
}

// volumeMounts turns volume entries into mounts under the volume policy.
func volumeMounts(cfg Config, list []string, jobVolumes map[string]string, what string) ([]mount.Mount, error) {
	var out []mount.Mount
	for _, s := range list {
		v, err := parseVolume(s)
		if err != nil {
			return nil, fmt.Errorf("%w: %s.volumes: %v", ErrBadOptions, what, err)
		}
		m := mount.Mount{Target: v.target, ReadOnly: v.readOnly}
		switch {
		case path.IsAbs(v.source):
			if !matchAny(cfg.ValidVolumes, path.Clean(v.source)) {
				return nil, fmt.Errorf("%w: %s.volumes: host path %s is not in container.valid_volumes; ask the runner's admin to allow it", ErrNotAllowed, what, v.source)
			}
			m.Type, m.Source = mount.TypeBind, path.Clean(v.source)
		case v.source != "" && matchAny(cfg.ValidVolumes, v.source):
			m.Type, m.Source = mount.TypeVolume, v.source
		default:
			name := jobVolumes[jobVolumeKey(what, v)]
			if name == "" {
				return nil, fmt.Errorf("%s.volumes: volume %q was not planned", what, s)
			}
			m.Type, m.Source = mount.TypeVolume, name
		}
		out = append(out, m)
	}
	return out, nil
}

// matchAny reports whether s matches one of the glob patterns, where *
// matches within a path segment and ** across segments.
func matchAny(patterns []string, s string) bool {
	for _, p := range patterns {
		if globRegexp(p).MatchString(s) {
			return true
		}
	}
	return false
}

// globRegexp compiles a glob pattern.
func globRegexp(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '*' && i+1 < len(p) && p[i+1] == '*':
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
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

// execWrapper runs a step's command: it sends stdout and stderr to the
// output FIFO (one pipe keeps their order, as on the host, and keeps the
// step's processes off Docker's own streams), writes one handshake byte
// there, records its pid (the leader of the exec's own session and
// process group) in the pid file, changes to the working directory and
// replaces itself with the program. A missing directory or program is
// written to the pid file instead, for Exec to report like the host
// backend.
const execWrapper = `o=$1 p=$2 d=$3 prog=$4
shift 4
exec >"$o" 2>&1 </dev/null
printf .
echo $$ > "$p"
if [ -n "$d" ] && ! cd "$d" 2>/dev/null; then echo nodir > "$p"; exit 1; fi
unset OLDPWD
if ! command -v "$prog" >/dev/null 2>&1; then echo notfound > "$p"; exit 127; fi
exec "$@"`

// execArgs is the command line of docker exec for c, and the environment
// to give the exec. Shells drop variables whose names are not shell names
// (INPUT_WHO-TO-GREET), so those reach the program through env(1)
// instead of through the wrapper's environment.
func execArgs(outFile, pidFile string, c executor.Command) (args, env []string) {
	args = []string{"/bin/sh", "-c", execWrapper, "anvil-exec", outFile, pidFile, c.Dir, c.Args[0]}
	var odd []string
	for _, kv := range c.Env {
		if k, _, _ := strings.Cut(kv, "="); shellName.MatchString(k) {
			env = append(env, kv)
		} else {
			odd = append(odd, kv)
		}
	}
	if len(odd) > 0 {
		args = append(append(args, "env", "--"), odd...)
	}
	return append(args, c.Args...), env
}

// shellName matches the variable names a POSIX shell passes on.
var shellName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// signalArgs signals the process group of pid, or pid alone should it
// have left its group.
func signalArgs(sig string, pid int) []string {
	return []string{"/bin/sh", "-c", `kill -s "$0" -- "-$1" 2>/dev/null || kill -s "$0" "$1" 2>/dev/null; true`, sig, fmt.Sprint(pid)}
}

// hasProgramArgs prints where name is on path, and fails when it is not.
func hasProgramArgs(name, searchPath string) []string {
	return []string{"/bin/sh", "-c", `PATH=$0 command -v "$1" 2>/dev/null`, searchPath, name}
}

// actionEnv drops from a docker action's environment what the job
// container's environment put there (its PATH, HOME, ...): the action's
// image brings its own.
func actionEnv(env []string, base map[string]string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if k == "PATH" || k == "HOME" || k == "HOSTNAME" {
			continue
		}
		if bv, ok := base[k]; ok && bv == v {
			continue
		}
		out = append(out, kv)
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
	s = unsafeName.ReplaceAllString(s, "_")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

func ptr[T any](v T) *T { return &v }
