package localrun

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// Platforms maps runs-on labels to where jobs with them run: "host" or
// "docker://IMAGE".
type Platforms struct {
	// labels holds the labels given with -P; empty means every job runs
	// on the host.
	labels map[string]string
}

// ParsePlatforms reads -P LABEL=host and -P LABEL=docker://IMAGE flags;
// act's LABEL=-self-hosted is LABEL=host. Labels match runs-on without
// regard to case, as on GitHub and in act.
func ParsePlatforms(flags []string) (Platforms, error) {
	p := Platforms{labels: map[string]string{}}
	for _, f := range flags {
		label, target, ok := strings.Cut(f, "=")
		label, target = strings.ToLower(strings.TrimSpace(label)), strings.TrimSpace(target)
		if !ok || label == "" {
			return p, usageErrorf("-P %q: write it as LABEL=host or LABEL=docker://IMAGE, e.g. -P ubuntu-latest=docker://node:20-bookworm", f)
		}
		if target == "-self-hosted" {
			target = "host"
		}
		image, isDocker := strings.CutPrefix(target, "docker://")
		switch {
		case target == "host":
		case isDocker && image != "" && !strings.ContainsAny(image, " \t"):
		case isDocker:
			return p, usageErrorf("-P %s=%s: name the image, e.g. -P %s=docker://node:20-bookworm", label, target, label)
		default:
			return p, usageErrorf("-P %s=%s: the target must be host or docker://IMAGE", label, target)
		}
		p.labels[label] = target
	}
	return p, nil
}

// Note is the one line printed when no -P was given.
func (p Platforms) Note() string {
	if len(p.labels) > 0 {
		return ""
	}
	return "note: no -P given: every job runs directly on this host, whatever its runs-on says (use -P LABEL=docker://IMAGE for containers)"
}

// BackendFor returns the engine's BackendFor: every job on host, or, with
// -P, the jobs with at least one mapped runs-on label, on the host or, when
// a mapped label maps to docker://IMAGE, in a container of IMAGE on the
// backend docker returns (asked for only then). A job with no mapped label
// is skipped with a hint (executor.ErrNoPlatform), as act does.
func (p Platforms) BackendFor(host executor.Backend, docker func() (executor.Backend, error)) executor.BackendFor {
	return func(runsOn []string) (executor.Backend, executor.JobSpecHints, error) {
		if err := p.check(runsOn); err != nil {
			return nil, executor.JobSpecHints{}, err
		}
		image, err := p.image(runsOn)
		if err != nil || image == "" {
			return host, executor.JobSpecHints{}, err
		}
		b, err := docker()
		if err != nil {
			return nil, executor.JobSpecHints{}, err
		}
		return b, executor.JobSpecHints{Image: image}, nil
	}
}

// image returns the image the job's mapped labels map to, "" for the host.
func (p Platforms) image(runsOn []string) (string, error) {
	image, from := "", ""
	for _, l := range runsOn {
		img, ok := strings.CutPrefix(p.labels[strings.ToLower(l)], "docker://")
		if !ok {
			continue
		}
		if image != "" && img != image {
			return "", fmt.Errorf("runs-on labels %q and %q map to different images (%s, %s); map them to the same docker://IMAGE", from, l, image, img)
		}
		image, from = img, l
	}
	return image, nil
}

// check returns nil when -P is not given or maps one of runsOn, and else
// an error wrapping executor.ErrNoPlatform that names the flag to add.
func (p Platforms) check(runsOn []string) error {
	if len(p.labels) == 0 {
		return nil
	}
	if len(runsOn) == 0 {
		return fmt.Errorf("the job has no runs-on labels; give it runs-on, or drop -P to run every job on this host")
	}
	for _, l := range runsOn {
		if _, ok := p.labels[strings.ToLower(l)]; ok {
			return nil
		}
	}
	quoted := make([]string, len(runsOn))
	for i, l := range runsOn {
		quoted[i] = strconv.Quote(l)
	}
	l := runsOn[0]
	return fmt.Errorf("%w: runs-on %s (mapped: %s); add -P %s=host to run it on this host, or -P %s=docker://IMAGE to run it in a container",
		executor.ErrNoPlatform, strings.Join(quoted, ", "), p.mapped(), l, l)
}

// mapped lists the mapped labels, sorted.
func (p Platforms) mapped() string {
	names := make([]string, 0, len(p.labels))
	for l := range p.labels {
		names = append(names, l)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// MayUseContainers reports whether a job of the plan may run in a
// container: a -P label maps to docker://, or a job has a container or
// services.
func (p Platforms) MayUseContainers(plan *plan.Plan) bool {
	for _, target := range p.labels {
		if strings.HasPrefix(target, "docker://") {
			return true
		}
	}
	for _, wf := range plan.Workflows {
		for _, j := range wf.Jobs {
			if j.Container != nil || len(j.Services) > 0 {
				return true
			}
		}
	}
	return false
}
