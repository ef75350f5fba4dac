package cmd

import (
	"fmt"
	"sort"
	"strings"

	"codeberg.org/anvil-ci/anvil/executor"
)

// platforms maps runs-on labels to where jobs with them run. Only "host"
// exists until the Docker executor arrives.
type platforms struct {
	// labels holds the labels given with -P; empty means every job runs
	// on the host.
	labels map[string]string
}

// parsePlatforms reads -P LABEL=host flags.
func parsePlatforms(flags []string) (platforms, error) {
	p := platforms{labels: map[string]string{}}
	for _, f := range flags {
		label, target, ok := strings.Cut(f, "=")
		label = strings.TrimSpace(label)
		if !ok || label == "" {
			return p, usageErrorf("-P %q: write it as LABEL=host, e.g. -P ubuntu-latest=host", f)
		}
		if target != "host" {
			return p, usageErrorf("-P %s=%s: only \"host\" is supported for now; docker://IMAGE comes with the Docker executor", label, target)
		}
		p.labels[label] = target
	}
	return p, nil
}

// note is the one line printed when no -P was given.
func (p platforms) note() string {
	if len(p.labels) > 0 {
		return ""
	}
	return "note: no -P given: every job runs directly on this host, whatever its runs-on says"
}

// backendFor returns the engine's BackendFor: every job on host, or, with
// -P, only jobs whose labels are all mapped.
func (p platforms) backendFor(host executor.Backend) executor.BackendFor {
	return func(runsOn []string) (executor.Backend, executor.JobSpecHints, error) {
		if err := p.check(runsOn); err != nil {
			return nil, executor.JobSpecHints{}, err
		}
		return host, executor.JobSpecHints{}, nil
	}
}

// check returns an error naming the first runs-on label -P does not map.
func (p platforms) check(runsOn []string) error {
	if len(p.labels) == 0 {
		return nil
	}
	if len(runsOn) == 0 {
		return fmt.Errorf("the job has no runs-on labels; give it runs-on, or drop -P to run every job on this host")
	}
	for _, l := range runsOn {
		if _, ok := p.labels[l]; !ok {
			return fmt.Errorf("runs-on label %q is not mapped (mapped: %s); add -P %s=host to run it on this host", l, p.mapped(), l)
		}
	}
	return nil
}

// mapped lists the mapped labels, sorted.
func (p platforms) mapped() string {
	names := make([]string, 0, len(p.labels))
	for l := range p.labels {
		names = append(names, l)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
