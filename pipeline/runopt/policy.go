package runopt

import (
	"fmt"
	"path"
)

// Policy is what a runner's configuration allows the containers of its
// jobs (the daemon's container.* keys; zero is the Docker executor's
// default, which anvil exec uses).
type Policy struct {
	// Privileged allows --privileged and --cap-add (container.privileged).
	Privileged bool
	// ValidVolumes are the host paths and volume names a job may mount,
	// as glob patterns (container.valid_volumes).
	ValidVolumes []string
	// Memory and CPUs bound --memory and --cpus (0: no bound).
	Memory int64
	CPUs   float64
	// Options are the runner's own container.options, parsed before a
	// job's.
	Options string
}

// CheckPrivileged refuses --privileged and --cap-add unless p allows them.
func (p Policy) CheckPrivileged(what string, o *Options) error {
	if (o.Privileged || len(o.CapAdd) > 0) && !p.Privileged {
		flag := "--privileged"
		if !o.Privileged {
			flag = "--cap-add"
		}
		return fmt.Errorf("%w: %s.options asks for %s; the runner allows --privileged and --cap-add only with container.privileged", ErrNotAllowed, what, flag)
	}
	return nil
}

// CheckResources refuses --memory and --cpus over p's bounds.
func (p Policy) CheckResources(what string, o *Options) error {
	if o.Memory > 0 && p.Memory > 0 && o.Memory > p.Memory {
		return fmt.Errorf("%w: %s.options asks for --memory %d bytes; the runner allows at most %d", ErrNotAllowed, what, o.Memory, p.Memory)
	}
	if o.CPUs > 0 && p.CPUs > 0 && o.CPUs > p.CPUs {
		return fmt.Errorf("%w: %s.options asks for --cpus %g; the runner allows at most %g", ErrNotAllowed, what, o.CPUs, p.CPUs)
	}
	return nil
}

// CheckHostPath refuses a host path (an absolute volume source) that is
// not among p's valid volumes.
func (p Policy) CheckHostPath(what, source string) error {
	if !Allowed(p.ValidVolumes, path.Clean(source)) {
		return fmt.Errorf("%w: %s.volumes: host path %s is not in container.valid_volumes; ask the runner's admin to allow it", ErrNotAllowed, what, source)
	}
	return nil
}

// Check returns everything the Docker executor would refuse in the
// options: string and volumes: list of a container or service (what
// names it: container, services.db), as it applies them when the job
// starts: flags it does not support, --privileged and --cap-add, limits
// over p's and host paths p does not allow.
func (p Policy) Check(what, options string, volumes []string) []error {
	o, err := Parse(what, p.Options, options)
	if err != nil {
		return []error{err}
	}
	var errs []error
	for _, err := range []error{p.CheckPrivileged(what, o), p.CheckResources(what, o)} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	for _, s := range append(append([]string{}, volumes...), o.Volumes...) {
		v, err := ParseVolume(s)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%w: %s.volumes: %v", ErrBadOptions, what, err))
		case path.IsAbs(v.Source):
			if err := p.CheckHostPath(what, v.Source); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}
