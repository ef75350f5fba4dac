package runopt

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/pflag"
)

// ErrBadOptions is returned for an options: string that cannot be parsed
// or uses a docker run flag the executor does not support.
var ErrBadOptions = errors.New("bad container options")

// ErrNotAllowed is returned for what the runner's configuration forbids:
// a host path outside its valid volumes, --privileged, ...
var ErrNotAllowed = errors.New("not allowed by the runner's configuration")

// Options are the docker run flags a job's or service's options: may use.
// Anything else is rejected, so that a workflow cannot reach around the
// runner's configuration (--network host, --pid host, --device, ...).
type Options struct {
	User         string
	Workdir      string
	Hostname     string
	Entrypoint   string
	Env          []string
	Volumes      []string
	Publish      []string
	Expose       []string
	Tmpfs        []string
	Labels       []string
	AddHosts     []string
	NetworkAlias []string
	Init         bool
	ReadOnly     bool
	// Privileged and CapAdd are allowed only by a runner configured to
	// (Policy.Privileged).
	Privileged bool
	CapAdd     []string
	CapDrop    []string
	Memory     int64
	MemorySwap int64
	ShmSize    int64
	CPUs       float64
	CPUShares  int64
	PidsLimit  int64
	Health     Health
}

// Health are the --health-* flags.
type Health struct {
	Cmd         string
	Interval    time.Duration
	Timeout     time.Duration
	StartPeriod time.Duration
	Retries     int
	None        bool
}

// Supported lists the flags Parse accepts, for messages and the
// documentation.
func Supported() []string {
	fs, _ := flags()
	var names []string
	fs.VisitAll(func(f *pflag.Flag) { names = append(names, "--"+f.Name) })
	sort.Strings(names)
	return names
}

// flags returns the flag set Parse uses and the options it fills.
func flags() (*pflag.FlagSet, *Options) {
	o := &Options{}
	fs := pflag.NewFlagSet("options", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVarP(&o.User, "user", "u", "", "")
	fs.StringVarP(&o.Workdir, "workdir", "w", "", "")
	fs.StringVarP(&o.Hostname, "hostname", "h", "", "")
	fs.StringVar(&o.Entrypoint, "entrypoint", "", "")
	fs.StringArrayVarP(&o.Env, "env", "e", nil, "")
	fs.StringArrayVarP(&o.Volumes, "volume", "v", nil, "")
	fs.StringArrayVarP(&o.Publish, "publish", "p", nil, "")
	fs.StringArrayVar(&o.Expose, "expose", nil, "")
	fs.StringArrayVar(&o.Tmpfs, "tmpfs", nil, "")
	fs.StringArrayVarP(&o.Labels, "label", "l", nil, "")
	fs.StringArrayVar(&o.AddHosts, "add-host", nil, "")
	fs.StringArrayVar(&o.NetworkAlias, "network-alias", nil, "")
	fs.BoolVar(&o.Init, "init", false, "")
	fs.BoolVar(&o.ReadOnly, "read-only", false, "")
	fs.BoolVar(&o.Privileged, "privileged", false, "")
	fs.StringArrayVar(&o.CapAdd, "cap-add", nil, "")
	fs.StringArrayVar(&o.CapDrop, "cap-drop", nil, "")
	fs.VarP(byteSize{&o.Memory}, "memory", "m", "")
	fs.Var(byteSize{&o.MemorySwap}, "memory-swap", "")
	fs.Var(byteSize{&o.ShmSize}, "shm-size", "")
	fs.Float64Var(&o.CPUs, "cpus", 0, "")
	fs.Int64Var(&o.CPUShares, "cpu-shares", 0, "")
	fs.Int64Var(&o.PidsLimit, "pids-limit", 0, "")
	fs.StringVar(&o.Health.Cmd, "health-cmd", "", "")
	fs.DurationVar(&o.Health.Interval, "health-interval", 0, "")
	fs.DurationVar(&o.Health.Timeout, "health-timeout", 0, "")
	fs.DurationVar(&o.Health.StartPeriod, "health-start-period", 0, "")
	fs.IntVar(&o.Health.Retries, "health-retries", 0, "")
	fs.BoolVar(&o.Health.None, "no-healthcheck", false, "")
	return fs, o
}

// Parse parses the runner's options (its container.options) followed by a
// job's options: string s, like docker run's flags: a flag given in both
// takes the job's value, list flags (-e, -v, ...) get both. what names
// the option's place (container, services.db) for messages. Errors wrap
// ErrBadOptions.
func Parse(what, runner, s string) (*Options, error) {
	first, err := Split(runner)
	if err != nil {
		return nil, fmt.Errorf("%w: the runner's container.options: %v", ErrBadOptions, err)
	}
	words, err := Split(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %s.options: %v", ErrBadOptions, what, err)
	}
	if len(first) > 0 {
		fs, _ := flags()
		if err := fs.Parse(first); err != nil || fs.NArg() > 0 {
			return nil, fmt.Errorf("%w: the runner's container.options %q: use only these docker run flags: %s", ErrBadOptions, runner, strings.Join(Supported(), " "))
		}
		words = append(first, words...)
	}
	fs, o := flags()
	if err := fs.Parse(words); err != nil {
		return nil, fmt.Errorf("%w: %s.options: %v; supported: %s", ErrBadOptions, what, err, strings.Join(Supported(), " "))
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("%w: %s.options: unexpected argument %q: options takes only docker run flags (the image and command come from image: and cmd:)", ErrBadOptions, what, fs.Arg(0))
	}
	if o.Health.Retries < 0 || o.Health.Interval < 0 || o.Health.Timeout < 0 || o.Health.StartPeriod < 0 {
		return nil, fmt.Errorf("%w: %s.options: health check durations and retries must not be negative", ErrBadOptions, what)
	}
	return o, nil
}

// byteSize is a pflag.Value for sizes like 512m or 1g.
type byteSize struct{ v *int64 }

func (b byteSize) String() string {
	if b.v == nil {
		return "0"
	}
	return fmt.Sprint(*b.v)
}

func (b byteSize) Set(s string) error {
	n, err := units.RAMInBytes(s)
	if err != nil {
		return fmt.Errorf("size %q: %w", s, err)
	}
	*b.v = n
	return nil
}

func (byteSize) Type() string { return "bytes" }
