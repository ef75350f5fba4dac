package plan

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrNotTriggered is wrapped by New's error when the event triggers
// none of the workflows.
var ErrNotTriggered = errors.New("no workflow is triggered")

// New keeps the workflows that ev triggers, in the order given, with their
// jobs in needs order: as pipeline.ParseWorkflow left them, or sorted
// stably when a workflow was built otherwise. When none is triggered the
// error wraps ErrNotTriggered and gives each workflow's reason.
func New(workflows []*Workflow, ev Event) (*Plan, error) {
	plan := &Plan{Event: ev.Name, Workflows: []*Workflow{}}
	var reasons []string
	for _, w := range workflows {
		if w == nil {
			continue
		}
		ok, why := w.Triggered(ev)
		if !ok {
			reasons = append(reasons, w.File+": "+why)
			continue
		}
		ordered, err := inNeedsOrder(w)
		if err != nil {
			return nil, err
		}
		plan.Workflows = append(plan.Workflows, ordered)
	}
	if len(plan.Workflows) == 0 {
		if len(reasons) == 0 {
			return nil, fmt.Errorf("%w by %s: there are no workflows", ErrNotTriggered, ev.Name)
		}
		return nil, fmt.Errorf("%w by %s:\n  %s", ErrNotTriggered, ev.Name, strings.Join(reasons, "\n  "))
	}
	return plan, nil
}

// inNeedsOrder returns w when its jobs come after the jobs they need (as
// pipeline.ParseWorkflow leaves them), or else a copy with its jobs reordered. A
// workflow built by hand with a needs cycle is an error.
func inNeedsOrder(w *Workflow) (*Workflow, error) {
	deps := NeedsIndexes(w.Jobs, func(int, int) {})
	sorted := true
	for i, ds := range deps {
		for _, d := range ds {
			sorted = sorted && d < i
		}
	}
	if sorted {
		return w, nil
	}
	order, _ := NeedsOrder(deps)
	if len(order) < len(w.Jobs) {
		return nil, fmt.Errorf("ordering jobs of %s: their needs form a cycle; fix the workflow", w.File)
	}
	out := *w
	out.Jobs = make([]*Job, len(order))
	for k, i := range order {
		out.Jobs[k] = w.Jobs[i]
	}
	return &out, nil
}

// Select returns a plan with only job jobID and the jobs it needs,
// directly or not, in each workflow that has it. The receiver is not
// changed. The error lists the job ids there are when none is jobID.
func (p *Plan) Select(jobID string) (*Plan, error) {
	out := &Plan{Event: p.Event, Workflows: []*Workflow{}}
	for _, w := range p.Workflows {
		keep := neededBy(w.Jobs, jobID)
		if keep == nil {
			continue
		}
		sel := *w
		sel.Jobs = make([]*Job, 0, len(keep))
		for _, j := range w.Jobs {
			if keep[j.ID] {
				sel.Jobs = append(sel.Jobs, j)
			}
		}
		out.Workflows = append(out.Workflows, &sel)
	}
	if len(out.Workflows) == 0 {
		return nil, fmt.Errorf("selecting job %q: no such job in the triggered workflows; choose one of: %s", jobID, strings.Join(p.jobIDs(), ", "))
	}
	return out, nil
}

// neededBy returns jobID and every job it needs transitively, or nil when
// jobs has no jobID.
func neededBy(jobs []*Job, jobID string) map[string]bool {
	byID := make(map[string]*Job, len(jobs))
	for _, j := range jobs {
		byID[j.ID] = j
	}
	if byID[jobID] == nil {
		return nil
	}
	keep := map[string]bool{}
	todo := []string{jobID}
	for len(todo) > 0 {
		id := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if keep[id] || byID[id] == nil {
			continue
		}
		keep[id] = true
		todo = append(todo, byID[id].Needs...)
	}
	return keep
}

// jobIDs lists the plan's job ids, sorted and without repeats.
func (p *Plan) jobIDs() []string {
	var ids []string
	for _, w := range p.Workflows {
		for _, j := range w.Jobs {
			ids = append(ids, j.ID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}
