package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/pipeline"
	"codeberg.org/anvil-ci/anvil/pipeline/lint"
)

// checkedWorkflows are the workflows anvil exec read, linted: those to
// plan, and those with problems, which run nothing.
type checkedWorkflows struct {
	valid  []*pipeline.Workflow
	broken []*brokenWorkflow
}

// brokenWorkflow is a workflow file with problems. Its jobs fail at once,
// each with every problem in its log.
type brokenWorkflow struct {
	// wf is the parsed workflow, or its outline when it does not parse.
	wf       *pipeline.Workflow
	outlined bool
	problems []lint.Finding
}

// lintWorkflows finds, parses and lints the workflows under dir (or
// wpath) as anvil lint does, without runner labels (anvil exec maps
// labels with -P). Warnings are printed to stderr; the workflows they are
// about still run.
func lintWorkflows(dir, wpath string, stderr io.Writer) (*checkedWorkflows, error) {
	files, err := pipeline.Discover(dir, wpath)
	if err != nil {
		return nil, usageError(fmt.Errorf("finding workflows in %s: %w", dir, err))
	}
	if len(files) == 0 {
		return nil, usageErrorf("no workflows in %s: add .forgejo/workflows/*.yml or point -W at a workflow file", dir)
	}
	l := lint.New(lint.Options{})
	c := &checkedWorkflows{}
	for _, f := range files {
		path, name := workflowPath(dir, f)
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, usageError(fmt.Errorf("reading workflow: %w", err))
		}
		wf, findings := l.Parse(name, data)
		var problems []lint.Finding
		for _, p := range findings {
			if !p.IsError() {
				fmt.Fprintf(stderr, "warning: %s\n", p)
				continue
			}
			problems = append(problems, p)
		}
		switch {
		case len(problems) == 0:
			c.valid = append(c.valid, wf)
		case wf == nil:
			c.broken = append(c.broken, &brokenWorkflow{wf: lint.Outline(name, data), outlined: true, problems: problems})
		default:
			c.broken = append(c.broken, &brokenWorkflow{wf: wf, problems: problems})
		}
	}
	return c, nil
}

// triggered reports whether ev would run b: by its triggers when it
// parsed, by the event names of its on: when it did not, and always when
// even those cannot be read.
func (b *brokenWorkflow) triggered(ev pipeline.Event) bool {
	if !b.outlined {
		ok, _ := b.wf.Triggered(ev)
		return ok
	}
	if b.wf.On == nil {
		return true
	}
	_, ok := b.wf.On[ev.Name]
	return ok
}

// planChecked plans the valid workflows ev triggers, as pipeline.NewPlan
// does, and returns with the plan the broken workflows ev triggers. With
// job set, both keep only that job and the jobs it needs.
func planChecked(c *checkedWorkflows, ev pipeline.Event, job string, stderr io.Writer) (*pipeline.Plan, []*brokenWorkflow, error) {
	var broken []*brokenWorkflow
	for _, b := range c.broken {
		if b.triggered(ev) {
			broken = append(broken, b)
		}
	}
	plan, err := pipeline.NewPlan(c.valid, ev)
	switch {
	case errors.Is(err, pipeline.ErrNotTriggered):
		if len(broken) == 0 {
			fmt.Fprintf(stderr, "anvil: nothing to run: %v\nanvil: give another event, e.g. anvil exec workflow_dispatch\n", err)
		}
		plan = &pipeline.Plan{Event: ev.Name}
	case err != nil:
		return nil, nil, usageError(fmt.Errorf("planning %s: %w", ev.Name, err))
	}
	if job == "" || (len(plan.Workflows) == 0 && len(broken) == 0) {
		return plan, broken, nil
	}
	byFile := make(map[string]*brokenWorkflow, len(broken))
	all := &pipeline.Plan{Event: ev.Name, Workflows: slices.Clone(plan.Workflows)}
	for _, b := range broken {
		byFile[b.wf.File] = b
		all.Workflows = append(all.Workflows, b.wf)
	}
	sel, err := all.Select(job)
	if err != nil {
		return nil, nil, usageError(err)
	}
	plan = &pipeline.Plan{Event: ev.Name, Workflows: []*pipeline.Workflow{}}
	broken = nil
	for _, wf := range sel.Workflows {
		if b, ok := byFile[wf.File]; ok {
			broken = append(broken, &brokenWorkflow{wf: wf, outlined: b.outlined, problems: b.problems})
			continue
		}
		plan.Workflows = append(plan.Workflows, wf)
	}
	return plan, broken, nil
}

// failBroken reports each broken workflow as run and failed at once:
// every job starts and fails with all the problems of the file in its log,
// through sink like any job's events. Lines are masked with m. A workflow
// without a readable job reports one job without an id, which stands for
// the whole file.
func failBroken(sink executor.Sink, m *executor.Masker, broken []*brokenWorkflow, now func() time.Time) {
	for _, b := range broken {
		wf := b.wf
		emit := func(e executor.Event) {
			e.Time = now()
			e.Workflow = wf.File
			e.Line = m.Mask(e.Line)
			sink.Emit(e)
		}
		emit(executor.Event{Kind: executor.EventWorkflowStart, JobName: wf.Name, Step: -1})
		jobs := wf.Jobs
		if len(jobs) == 0 {
			jobs = []*pipeline.Job{{Name: firstNonEmpty(wf.Name, wf.File)}}
		}
		summary := fmt.Sprintf("%s has %s; nothing of it ran", wf.File, problemCount(len(b.problems)))
		for _, j := range jobs {
			name := j.Name
			if strings.Contains(name, "${{") {
				name = j.ID
			}
			emit(executor.Event{Kind: executor.EventJobStart, Job: j.ID, JobName: name, Step: -1})
			emit(executor.Event{Kind: executor.EventLog, Job: j.ID, JobName: name, Step: -1, Level: "error", Line: summary + ":"})
			for _, p := range b.problems {
				emit(executor.Event{Kind: executor.EventLog, Job: j.ID, JobName: name, Step: -1, Level: "error", Line: p.String()})
			}
			emit(executor.Event{Kind: executor.EventJobEnd, Job: j.ID, JobName: name, Step: -1, Result: executor.ResultFailure,
				Error: "the workflow file has problems (see above); fix them and run again"})
		}
		emit(executor.Event{Kind: executor.EventWorkflowEnd, JobName: wf.Name, Step: -1, Result: executor.ResultFailure})
	}
}

// listBroken prints, for anvil exec -l, the broken workflows that would
// fail and their problems.
func listBroken(w io.Writer, broken []*brokenWorkflow) {
	for _, b := range broken {
		fmt.Fprintf(w, "anvil: %s has %s, so its jobs would fail at once:\n", b.wf.File, problemCount(len(b.problems)))
		for _, p := range b.problems {
			fmt.Fprintln(w, p)
		}
	}
}

// problemCount is "1 problem" or "N problems".
func problemCount(n int) string {
	if n == 1 {
		return "1 problem"
	}
	return fmt.Sprintf("%d problems", n)
}
