package localrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"codeberg.org/anvil-ci/anvil/gitctx"
	"codeberg.org/anvil-ci/anvil/pipeline"
	"codeberg.org/anvil-ci/anvil/pipeline/lint"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// Checked is a workflow anvil exec read and linted, with what lint
// found on its Problems. The engine fails the jobs of a workflow with an
// error among its problems and shows warnings in the jobs' logs.
type Checked struct {
	Workflow *plan.Workflow
	// outlined is set when the file did not parse: wf is lint.Outline's.
	outlined bool
}

// Broken reports whether the workflow's jobs fail at once.
func (c Checked) Broken() bool { return Broken(c.Workflow) }

// Broken reports whether wf has an error among its problems, so that the
// engine fails its jobs at once.
func Broken(wf *plan.Workflow) bool {
	for _, p := range wf.Problems {
		if p.IsError() {
			return true
		}
	}
	return false
}

// LintWorkflows finds, parses and lints the workflows under dir (or
// wpath) as anvil lint does, without runner labels (anvil exec maps labels
// with -P), and puts every finding on its workflow's Problems.
func LintWorkflows(dir, wpath string) ([]Checked, error) {
	files, err := pipeline.Discover(dir, wpath)
	if err != nil {
		return nil, usageError(fmt.Errorf("finding workflows in %s: %w", dir, err))
	}
	if len(files) == 0 {
		return nil, usageErrorf("no workflows in %s: add .forgejo/workflows/*.yml or point -W at a workflow file", dir)
	}
	l := lint.New(lint.Options{Warnings: true})
	var out []Checked
	for _, f := range files {
		path, name := WorkflowPath(dir, f)
		data, err := pipeline.ReadFile(path)
		if err != nil {
			return nil, usageError(fmt.Errorf("reading workflow: %w", err))
		}
		wf, findings := l.Parse(name, data)
		c := Checked{Workflow: wf} // Parse put the findings on wf.Problems
		if wf == nil {
			c = Checked{Workflow: lint.Outline(name, data), outlined: true}
			for _, f := range findings {
				c.Workflow.Problems = append(c.Workflow.Problems, f.Problem())
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// triggered reports whether ev would run c: by its triggers when it parsed,
// by the event names of its on: when it did not, and always when even those
// cannot be read.
func (c Checked) triggered(ev plan.Event) bool {
	if !c.outlined {
		ok, _ := c.Workflow.Triggered(ev)
		return ok
	}
	if c.Workflow.On == nil {
		return true
	}
	_, ok := c.Workflow.On[ev.Name]
	return ok
}

// PlanChecked plans the workflows ev triggers, in file order: those
// without errors as pipeline.NewPlan does, the broken ones as they are
// (the engine fails their jobs). With job set, the plan keeps only that job
// and the jobs it needs.
func PlanChecked(checked []Checked, ev plan.Event, job string, stderr io.Writer) (*plan.Plan, error) {
	var valid []*plan.Workflow
	broken := 0
	for _, c := range checked {
		switch {
		case !c.Broken():
			valid = append(valid, c.Workflow)
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
	plan := &plan.Plan{Event: ev.Name, Workflows: []*plan.Workflow{}}
	for _, c := range checked {
		switch {
		case !c.Broken() && byFile[c.Workflow.File] != nil:
			plan.Workflows = append(plan.Workflows, byFile[c.Workflow.File])
		case c.Broken() && c.triggered(ev):
			plan.Workflows = append(plan.Workflows, c.Workflow)
		}
	}
	if job == "" || len(plan.Workflows) == 0 {
		return plan, nil
	}
	sel, err := plan.Select(job)
	if err != nil {
		return nil, usageError(err)
	}
	return sel, nil
}

// WorkflowPath returns the file to read for a discovered workflow (as
// Discover gives it: usable from the current directory) and the name to
// give it in messages: relative to dir when it is inside dir.
func WorkflowPath(dir, f string) (path, name string) {
	name = f
	if abs, err := filepath.Abs(f); err == nil {
		if rel, err := filepath.Rel(dir, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			name = filepath.ToSlash(rel)
		}
	}
	return f, name
}

// SourceDir makes -C absolute and checks it is a directory.
func SourceDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", usageErrorf("-C %s: %w", dir, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", usageErrorf("-C %s: %w", dir, err)
	}
	if !st.IsDir() {
		return "", usageErrorf("-C %s: not a directory; give the repository's directory", dir)
	}
	return abs, nil
}

// ReadPayload reads the -e event payload; "" gives nil.
func ReadPayload(file string) (map[string]any, error) {
	if file == "" {
		return nil, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, usageErrorf("-e: %w", err)
	}
	var payload map[string]any
	if err := json.Unmarshal(data, &payload); err != nil {
		return nil, usageErrorf("-e %s: the event payload must be a JSON object: %w", file, err)
	}
	if payload == nil {
		payload = map[string]any{}
	}
	return payload, nil
}

// readSource reads what a local run plans from in dir: the workflows
// (linted, see LintWorkflows), the event payload of eventPath (see
// ReadPayload) and the repository's git facts.
func readSource(ctx context.Context, h Host, dir, workflows, eventPath string) ([]Checked, map[string]any, gitctx.Repo, error) {
	checked, err := LintWorkflows(dir, workflows)
	if err != nil {
		return nil, nil, gitctx.Repo{}, err
	}
	payload, err := ReadPayload(eventPath)
	if err != nil {
		return nil, nil, gitctx.Repo{}, err
	}
	info, err := gitctx.Read(ctx, dir, h.getenv)
	return checked, payload, info, err
}
