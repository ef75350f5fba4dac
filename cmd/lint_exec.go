package cmd

import (
	"errors"
	"fmt"
	"io"

	"codeberg.org/anvil-ci/anvil/pipeline"
	"codeberg.org/anvil-ci/anvil/pipeline/lint"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// checkedWorkflow is a workflow anvil exec read and linted, with what lint
// found on its Problems. The engine fails the jobs of a workflow with an
// error among its problems and shows warnings in the jobs' logs.
type checkedWorkflow struct {
	wf *plan.Workflow
	// outlined is set when the file did not parse: wf is lint.Outline's.
	outlined bool
}

// broken reports whether the workflow's jobs fail at once.
func (c checkedWorkflow) broken() bool {
	for _, p := range c.wf.Problems {
		if p.IsError() {
			return true
		}
	}
	return false
}

// lintWorkflows finds, parses and lints the workflows under dir (or
// wpath) as anvil lint does, without runner labels (anvil exec maps labels
// with -P), and puts every finding on its workflow's Problems.
func lintWorkflows(dir, wpath string) ([]checkedWorkflow, error) {
	files, err := pipeline.Discover(dir, wpath)
	if err != nil {
		return nil, usageError(fmt.Errorf("finding workflows in %s: %w", dir, err))
	}
	if len(files) == 0 {
		return nil, usageErrorf("no workflows in %s: add .forgejo/workflows/*.yml or point -W at a workflow file", dir)
	}
	l := lint.New(lint.Options{Warnings: true})
	var out []checkedWorkflow
	for _, f := range files {
		path, name := workflowPath(dir, f)
		data, err := pipeline.ReadFile(path)
		if err != nil {
			return nil, usageError(fmt.Errorf("reading workflow: %w", err))
		}
		wf, findings := l.Parse(name, data)
		c := checkedWorkflow{wf: wf} // Parse put the findings on wf.Problems
		if wf == nil {
			c = checkedWorkflow{wf: lint.Outline(name, data), outlined: true}
			for _, f := range findings {
				c.wf.Problems = append(c.wf.Problems, f.Problem())
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// triggered reports whether ev would run c: by its triggers when it parsed,
// by the event names of its on: when it did not, and always when even those
// cannot be read.
func (c checkedWorkflow) triggered(ev plan.Event) bool {
	if !c.outlined {
		ok, _ := c.wf.Triggered(ev)
		return ok
	}
	if c.wf.On == nil {
		return true
	}
	_, ok := c.wf.On[ev.Name]
	return ok
}

// planChecked plans the workflows ev triggers, in file order: those
// without errors as plan.New does, the broken ones as they are
// (the engine fails their jobs). With job set, the plan keeps only that job
// and the jobs it needs.
func planChecked(checked []checkedWorkflow, ev plan.Event, job string, stderr io.Writer) (*plan.Plan, error) {
	var valid []*plan.Workflow
	broken := 0
	for _, c := range checked {
		switch {
		case !c.broken():
			valid = append(valid, c.wf)
		case c.triggered(ev):
			broken++
		}
	}
	planned, err := plan.New(valid, ev)
	switch {
	case errors.Is(err, plan.ErrNotTriggered):
		if broken == 0 {
			fmt.Fprintf(stderr, "anvil: nothing to run: %v\nanvil: give another event, e.g. anvil exec workflow_dispatch\n", err)
		}
		planned = &plan.Plan{}
	case err != nil:
		return nil, usageError(fmt.Errorf("planning %s: %w", ev.Name, err))
	}
	byFile := make(map[string]*plan.Workflow, len(planned.Workflows))
	for _, wf := range planned.Workflows {
		byFile[wf.File] = wf
	}
	p := &plan.Plan{Event: ev.Name, Workflows: []*plan.Workflow{}}
	for _, c := range checked {
		switch {
		case !c.broken() && byFile[c.wf.File] != nil:
			p.Workflows = append(p.Workflows, byFile[c.wf.File])
		case c.broken() && c.triggered(ev):
			p.Workflows = append(p.Workflows, c.wf)
		}
	}
	if job == "" || len(p.Workflows) == 0 {
		return p, nil
	}
	sel, err := p.Select(job)
	if err != nil {
		return nil, usageError(err)
	}
	return sel, nil
}

// listProblems prints, for anvil exec -l, the problems of the planned
// workflows, saying which would fail at once. It reports whether one would.
func listProblems(w io.Writer, pl *plan.Plan) bool {
	failing := false
	for _, wf := range pl.Workflows {
		if len(wf.Problems) == 0 {
			continue
		}
		errs := 0
		for _, p := range wf.Problems {
			if p.IsError() {
				errs++
			}
		}
		if errs > 0 {
			failing = true
			found := "1 error"
			if errs > 1 {
				found = fmt.Sprintf("%d errors", errs)
			}
			fmt.Fprintf(w, "anvil: %s has %s, so its jobs would fail at once:\n", wf.File, found)
		}
		for _, p := range wf.Problems {
			fmt.Fprintf(w, "%s: %s\n", severityOf(p), p)
		}
	}
	return failing
}

// severityOf names p's severity.
func severityOf(p plan.Problem) plan.Severity {
	if p.IsError() {
		return plan.SeverityError
	}
	return plan.SeverityWarning
}
