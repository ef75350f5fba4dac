package policy

import (
	"cmp"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// defaultTimeoutMinutes is GitHub's default timeout-minutes for a job.
const defaultTimeoutMinutes = 360

var fullSHA = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`) })

// Build makes the Input of job, a job of wf whose runs-on, container,
// services and timeout-minutes are evaluated (the engine hands such a
// copy to its Admit hook; Offline makes one). key is the job's key (its
// id with a matrix suffix); task the run's context. Resolved commits are
// known only for pinned references here: Gate fills in the others.
func Build(wf *plan.Workflow, job *plan.Job, key string, task Task) *Input {
	j := Job{
		ID: job.ID, Key: cmp.Or(key, job.ID), Name: cmp.Or(job.Name, job.ID), Workflow: wf.File,
		RunsOn:         nonNil(slices.Clone(job.RunsOn)),
		Container:      Container{Volumes: []string{}, Ports: []string{}},
		Services:       map[string]Container{},
		Permissions:    map[string]string{},
		Env:            map[string]string{},
		Environment:    job.Environment,
		TimeoutMinutes: timeoutMinutes(job.TimeoutMinutes),
	}
	maps.Copy(j.Env, wf.Env)
	maps.Copy(j.Env, job.Env)
	switch {
	case job.Permissions != nil:
		maps.Copy(j.Permissions, job.Permissions)
	case wf.Permissions != nil:
		maps.Copy(j.Permissions, wf.Permissions)
	}
	if job.Container != nil && job.Container.Image != "" {
		j.Container = container("", job.Container)
		j.Containers = append(j.Containers, j.Container)
	}
	for _, id := range slices.Sorted(maps.Keys(job.Services)) {
		c := container(id, job.Services[id])
		j.Services[id] = c
		j.Containers = append(j.Containers, c)
	}
	for _, c := range j.Containers {
		j.Images = appendNew(j.Images, c.Image)
	}
	if job.Uses != "" {
		j.Uses = append(j.Uses, parseUses(job.Uses, -1, true, task))
	}
	for _, st := range job.Steps {
		j.Steps = append(j.Steps, Step{Index: st.Index, ID: st.ID, Name: st.DisplayName(), Uses: st.Uses, Run: st.Run})
		if st.Uses == "" {
			continue
		}
		u := parseUses(st.Uses, st.Index, false, task)
		j.Uses = append(j.Uses, u)
		if u.Kind == "docker" {
			j.Images = appendNew(j.Images, strings.TrimPrefix(u.Uses, "docker://"))
		}
	}
	j.Containers, j.Images, j.Uses, j.Steps = nonNil(j.Containers), nonNil(j.Images), nonNil(j.Uses), nonNil(j.Steps)
	return &Input{Job: j, Task: task}
}

// container converts a plan container, keeping only whether it has
// credentials.
func container(service string, c *plan.Container) Container {
	return Container{
		Service: service, Image: c.Image, Options: c.Options,
		Volumes: nonNil(slices.Clone(c.Volumes)), Ports: nonNil(slices.Clone(c.Ports)),
		Credentials: len(c.Credentials) > 0,
	}
}

// timeoutMinutes reads an evaluated timeout-minutes: 360 when unset, 0
// when it is not a number (an expression that could not be evaluated).
func timeoutMinutes(v string) float64 {
	if strings.TrimSpace(v) == "" {
		return defaultTimeoutMinutes
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return 0
	}
	return f
}

// parseUses describes one uses: reference; workflow says it is a job's.
func parseUses(uses string, step int, workflow bool, task Task) Uses {
	u := Uses{Uses: uses, Kind: "action", Step: step}
	if workflow {
		u.Kind = "workflow"
	}
	switch {
	case strings.HasPrefix(uses, "docker://"):
		return dockerUses(u)
	case strings.HasPrefix(uses, "./"):
		if !workflow {
			u.Kind = "local"
		}
		u.Source = task.ServerURL
		u.Owner, u.Repo, _ = strings.Cut(task.Repository, "/")
		u.Path = path.Clean(strings.TrimPrefix(uses, "./"))
		u.Name = path.Base(u.Path)
		u.Ref, u.SHA, u.Pinned = task.SHA, task.SHA, true
		return u
	}
	rest, ref := uses, ""
	if i := strings.LastIndex(uses, "@"); i >= 0 {
		rest, ref = uses[:i], uses[i+1:]
	}
	u.Ref = ref
	u.Source = task.DefaultActionsURL
	if scheme, after, ok := strings.Cut(rest, "://"); ok && (scheme == "https" || scheme == "http") {
		host, p, _ := strings.Cut(after, "/")
		u.Source, rest = scheme+"://"+host, p
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	if len(parts) >= 1 {
		u.Owner = parts[0]
	}
	if len(parts) >= 2 {
		u.Repo = strings.TrimSuffix(parts[1], ".git")
		u.Name = u.Repo
	}
	if len(parts) > 2 {
		u.Path = strings.Join(parts[2:], "/")
		u.Name = path.Base(u.Path)
	}
	if fullSHA().MatchString(ref) {
		u.Pinned, u.SHA = true, ref
	}
	return u
}

// dockerUses describes a docker://image action: its registry as Source,
// its name as Path, its tag (or digest, which pins it) as Ref.
func dockerUses(u Uses) Uses {
	u.Kind = "docker"
	im := ParseImage(u.Uses)
	u.Source, u.Path, u.Name, u.Ref = im.Registry, im.Name, path.Base(im.Name), im.Tag
	if im.Digest != "" {
		u.Ref, u.Pinned = im.Digest, true
	}
	return u
}

func appendNew(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// nonNil gives an empty slice for nil, so that CEL sees [] and JSON [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
