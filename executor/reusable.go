package executor

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"codeberg.org/anvil-ci/anvil/pipeline/expr"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// callWorkflow runs a job that calls a local reusable workflow.
func (w *workflowRun) callWorkflow(ctx context.Context, jr *jobInstance) *JobResult {
	e := w.engine
	j := jr.job
	start := e.cfg.Now()
	res := &JobResult{Workflow: w.wf.File, JobID: j.ID, Job: jr.key, Name: jr.name}
	e.emit(Event{Kind: EventJobStart, Workflow: w.wf.File, Job: jr.key, JobName: jr.name, Step: -1})
	result, outputs, err := w.runCalled(ctx, jr)
	if err != nil {
		msg := fmt.Sprintf("%s: job %q: %v", posString(j.Pos), j.ID, err)
		e.emit(Event{Kind: EventLog, Workflow: w.wf.File, Job: jr.key, Step: -1, Level: "error", Line: msg})
		result, res.Error = ResultFailure, e.masker.Mask(msg)
	}
	res.Result, res.Outputs, res.Duration = result, outputs, e.since(start)
	e.emit(Event{Kind: EventJobEnd, Workflow: w.wf.File, Job: jr.key, JobName: jr.name, Step: -1,
		Result: result, Outputs: outputs, Duration: res.Duration, Error: res.Error})
	return res
}

func (w *workflowRun) runCalled(ctx context.Context, jr *jobInstance) (Result, map[string]string, error) {
	e := w.engine
	j := jr.job
	if err := jr.admitCall(ctx); err != nil {
		return "", nil, err
	}
	if w.depth+1 >= maxWorkflowDepth {
		return "", nil, fmt.Errorf("reusable workflows are nested more than %d levels deep", maxWorkflowDepth)
	}
	file, name, err := w.calledFile(ctx, j.Uses)
	if err != nil {
		return "", nil, err
	}
	if e.cfg.Loader == nil {
		return "", nil, errNoLoader
	}
	called, err := e.cfg.Loader.LoadWorkflow(file, name)
	if err != nil {
		return "", nil, err
	}
	if _, ok := called.On["workflow_call"]; !ok {
		return "", nil, fmt.Errorf("%s is not a reusable workflow: add `on: workflow_call` to it", j.Uses)
	}
	p, err := plan.New([]*plan.Workflow{called}, plan.Event{Name: "workflow_call"})
	if err != nil {
		return "", nil, err
	}
	if len(p.Workflows) != 1 {
		return "", nil, fmt.Errorf("%s is not triggered by workflow_call", j.Uses)
	}
	called = p.Workflows[0]
	c := &expr.Contexts{Github: e.cfg.Github, Vars: e.cfg.Vars, Secrets: w.secrets, Inputs: w.inputs,
		Needs: jr.needs, Matrix: jr.matrix, Strategy: jr.strategy}
	inputs, err := calledInputs(c, j, called)
	if err != nil {
		return "", nil, err
	}
	secrets, err := calledSecrets(c, j, called, w.secrets)
	if err != nil {
		return "", nil, err
	}
	nested := &workflowRun{engine: e, wf: called, prefix: jr.key + " / ", inputs: inputs, secrets: secrets, depth: w.depth + 1}
	results := nested.run(ctx)
	for _, r := range results {
		w.addResult(r)
	}
	jobs := map[string]expr.NeedResult{}
	for id, o := range nested.outcomes {
		jobs[id] = expr.NeedResult{Result: string(o.result), Outputs: o.outputs}
	}
	oc := &expr.Contexts{Github: e.cfg.Github, Vars: e.cfg.Vars, Secrets: secrets, Inputs: inputs, Jobs: jobs}
	outputs := map[string]string{}
	for name, v := range called.Outputs {
		val, err := oc.Interpolate(v)
		if err != nil {
			return aggregate(results), outputs, fmt.Errorf("output %s of %s: %w", name, j.Uses, err)
		}
		outputs[name] = val
	}
	return aggregate(results), outputs, nil
}

// calledFile returns the file on this machine of the reusable workflow
// uses names, and the name its positions are given under.
func (w *workflowRun) calledFile(ctx context.Context, uses string) (file, name string, err error) {
	e := w.engine
	local := strings.HasPrefix(uses, "./")
	switch {
	case local && e.cfg.WorkflowRef == nil:
		file = filepath.Join(e.cfg.SourceDir, filepath.FromSlash(uses))
		return file, file, nil
	case e.cfg.Actions == nil && local:
		return "", "", fmt.Errorf("reusable workflow %s cannot be fetched from the repository: the runner has no action resolver", uses)
	case e.cfg.Actions == nil:
		return "", "", fmt.Errorf("remote reusable workflow %s cannot be resolved: no action source is configured; copy it into the repository and call it as ./.forgejo/workflows/NAME.yml", uses)
	}
	ref := uses
	if local {
		ref = e.cfg.WorkflowRef(strings.TrimPrefix(uses, "./"))
	}
	file, err = e.cfg.Actions.ResolveWorkflow(ctx, ref)
	if err != nil {
		return "", "", err
	}
	// Positions read uses:line:col, not a path in the action cache.
	return file, uses, nil
}

// calledInputs evaluates with: against the inputs the called workflow
// declares under workflow_call (never its workflow_dispatch ones, as on
// GitHub), applying defaults and types.
func calledInputs(c *expr.Contexts, j *plan.Job, called *plan.Workflow) (map[string]any, error) {
	var declared map[string]plan.Input
	if t := called.On["workflow_call"]; t != nil {
		declared = t.Inputs
	}
	given, err := c.InterpolateValue(anyMap(j.With))
	if err != nil {
		return nil, fmt.Errorf("with: %w", err)
	}
	gm, _ := given.(map[string]any)
	var unknown []string
	for k := range gm {
		if _, ok := declared[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("invalid input(s) %s: not defined in %s (declared: %s)", strings.Join(unknown, ", "), j.Uses, strings.Join(sortedKeys(declared), ", "))
	}
	out := map[string]any{}
	for name, in := range declared {
		v, ok := gm[name]
		if !ok {
			if in.Required {
				return nil, fmt.Errorf("input %s is required by %s", name, j.Uses)
			}
			v = in.Default
			if s, isStr := v.(string); isStr {
				if v, err = c.Interpolate(s); err != nil {
					return nil, fmt.Errorf("default of input %s: %w", name, err)
				}
			}
		}
		typed, err := typedInput(name, in.Type, v)
		if err != nil {
			return nil, err
		}
		out[name] = typed
	}
	return out, nil
}

func anyMap(m map[string]any) any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// typedInput converts an input value to its declared type.
func typedInput(name, typ string, v any) (any, error) {
	switch typ {
	case "boolean":
		switch t := v.(type) {
		case bool:
			return t, nil
		case nil:
			return false, nil
		case string:
			if t == "" {
				return false, nil
			}
			b, err := strconv.ParseBool(t)
			if err != nil {
				return nil, fmt.Errorf("input %s must be a boolean, got %q", name, t)
			}
			return b, nil
		}
	case "number":
		switch t := v.(type) {
		case float64:
			return t, nil
		case int:
			return float64(t), nil
		case nil:
			return float64(0), nil
		case string:
			if t == "" {
				return float64(0), nil
			}
			f, err := strconv.ParseFloat(t, 64)
			if err != nil {
				return nil, fmt.Errorf("input %s must be a number, got %q", name, t)
			}
			return f, nil
		}
	}
	if v == nil {
		return "", nil
	}
	return expr.ToString(v), nil
}

// calledSecrets gives the secrets a called workflow receives.
func calledSecrets(c *expr.Contexts, j *plan.Job, called *plan.Workflow, parent map[string]string) (map[string]string, error) {
	out := map[string]string{}
	if j.InheritSecrets {
		for k, v := range parent {
			out[k] = v
		}
	} else {
		for k, v := range j.Secrets {
			val, err := c.Interpolate(v)
			if err != nil {
				return nil, fmt.Errorf("secrets.%s: %w", k, err)
			}
			out[k] = val
		}
		for _, k := range []string{"GITHUB_TOKEN", "GITEA_TOKEN", "FORGEJO_TOKEN"} {
			if v, ok := parent[k]; ok {
				out[k] = v
			}
		}
	}
	for name, spec := range called.Secrets {
		if _, ok := out[name]; !ok && spec.Required {
			return nil, fmt.Errorf("secret %s is required by %s", name, j.Uses)
		}
	}
	return out, nil
}
