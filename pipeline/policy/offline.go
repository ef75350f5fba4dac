package policy

import (
	"maps"

	"codeberg.org/anvil-ci/anvil/pipeline/expr"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// Offline returns the Input of every job of wf as the engine would see
// it for task, without running anything: a matrix written as plain data
// is expanded, and runs-on, containers and timeout-minutes are evaluated
// with the github context, matrix and strategy. What needs contexts only
// a run has (needs, secrets, vars, steps) stays as written, and so does
// anything whose evaluation fails. The jobs of called reusable workflows
// are not fetched: only the calling job is given. Commits are known for
// pinned references only.
func Offline(wf *plan.Workflow, github map[string]any, task Task) []*Input {
	if task.Workflow == "" {
		task.Workflow = wf.File
	}
	var out []*Input
	for _, j := range wf.Jobs {
		combos := []map[string]any{nil}
		if j.Strategy != nil {
			if m, ok := j.Strategy.Matrix.(map[string]any); ok {
				if cs, err := plan.ExpandMatrix(m); err == nil && len(cs) > 0 {
					combos = cs
				}
			}
		}
		for i, combo := range combos {
			c := &expr.Contexts{Github: github, Matrix: combo}
			key := j.ID
			if combo != nil {
				key += " " + plan.MatrixSuffix(combo)
				c.Strategy = map[string]any{"job-index": i, "job-total": len(combos)}
			}
			out = append(out, Build(wf, Evaluated(c, j), key, task))
		}
	}
	return out
}

// Evaluated returns a copy of j with its name, runs-on, container, services and
// timeout-minutes evaluated with c; a value whose evaluation fails stays
// as written.
func Evaluated(c *expr.Contexts, j *plan.Job) *plan.Job {
	cp := *j
	eval := func(s string) string {
		if v, err := c.Interpolate(s); err == nil {
			return v
		}
		return s
	}
	cp.RunsOn = make([]string, len(j.RunsOn))
	for i, l := range j.RunsOn {
		cp.RunsOn[i] = eval(l)
	}
	cp.Name = eval(j.Name)
	cp.TimeoutMinutes = eval(j.TimeoutMinutes)
	evalContainer := func(in *plan.Container) *plan.Container {
		out := *in
		out.Image, out.Options = eval(in.Image), eval(in.Options)
		out.Volumes = make([]string, len(in.Volumes))
		for i, v := range in.Volumes {
			out.Volumes[i] = eval(v)
		}
		out.Ports = make([]string, len(in.Ports))
		for i, p := range in.Ports {
			out.Ports[i] = eval(p)
		}
		return &out
	}
	if j.Container != nil {
		cp.Container = evalContainer(j.Container)
	}
	if j.Services != nil {
		cp.Services = maps.Clone(j.Services)
		for id, s := range j.Services {
			cp.Services[id] = evalContainer(s)
		}
	}
	return &cp
}
