package pipeline

import (
	"cmp"
	"slices"

	"gopkg.in/yaml.v3"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// A workflow problem is an error only when GitHub or Forgejo would also
// refuse the workflow at run time, or anvil cannot build the job it is
// about: the file is not YAML, has no on: or no jobs, a need names no job
// or needs form a cycle, a job or step is neither one kind nor the other
// (or both), a reference cannot be resolved, a matrix has more than 256
// combinations. Everything else (unknown keys, values of the wrong scalar
// type, ids GitHub would not allow, filters that never match) is a
// warning: the forge has accepted such a workflow, and it runs.

// warn records a warning at node n (or at the file start when n is nil).
func (p *problems) warn(n *yaml.Node, format string, args ...any) {
	p.add(n, format, args...)
	p.list[len(p.list)-1].Severity = plan.SeverityWarning
}

// report records a problem at n with the given severity.
func (p *problems) report(sev plan.Severity, n *yaml.Node, format string, args ...any) {
	if sev == plan.SeverityWarning {
		p.warn(n, format, args...)
		return
	}
	p.add(n, format, args...)
}

// task reports whether the file is a forge task's workflow
// (ParseTaskWorkflow).
func (p *problems) task() bool { return p.externalNeeds }

// hasError reports whether an error-level problem has been recorded.
func (p *problems) hasError() bool {
	return slices.ContainsFunc(p.list, plan.Problem.IsError)
}

// result returns the problems sorted by position, each with its severity
// set, split into what a workflow carries and what refuses it: the
// warnings when there is no error, or else every problem as Errors.
func (p *problems) result() ([]plan.Problem, error) {
	slices.SortStableFunc(p.list, func(a, b plan.Problem) int {
		return cmp.Or(cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Column, b.Pos.Column))
	})
	for i := range p.list {
		if p.list[i].Severity == "" {
			p.list[i].Severity = plan.SeverityError
		}
		if p.locate != nil {
			p.list[i].Where = p.locate.Where(p.list[i].Pos.Line)
		}
	}
	if len(p.list) == 0 {
		return nil, nil
	}
	if p.hasError() {
		return nil, p.list
	}
	return slices.Clip(p.list), nil
}
