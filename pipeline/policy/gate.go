package policy

import (
	"context"
	"sync"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// Committer gives the commit a uses: reference resolves to, without
// fetching it (executor/resolve's Resolver is one). An error leaves the
// commit unknown.
type Committer interface {
	Commit(ctx context.Context, uses string) (string, error)
}

// Gate is the hook the engine calls before each job of a run
// (executor.Config.Admit): it builds the job's Input, fills in the
// commits of its uses: references, evaluates the policy and hands
// everything to Record. Its Admit is safe for concurrent use.
type Gate struct {
	// Policy decides; nil decides nothing (the gate then only records,
	// for an audit log without a policy).
	Policy *Policy
	// Task is the run's context. A Task.Workflow left empty is the file
	// of each job's workflow.
	Task Task
	// Commits resolves tags and branches to commits; nil leaves the
	// commits of unpinned references unknown.
	Commits Committer
	// Record, when set, receives every job's Input and decisions (audit).
	Record func(workflow, key string, in *Input, ds []Decision)

	mu      sync.Mutex
	commits map[string]string
}

// Admit decides on job, an evaluated job of wf with the given key. Deny
// decisions come back as error problems (the engine fails the job before
// its first step), warn decisions as warnings; each problem's message is
// the decision's log line.
func (g *Gate) Admit(ctx context.Context, wf *plan.Workflow, job *plan.Job, key string) []plan.Problem {
	task := g.Task
	if task.Workflow == "" {
		task.Workflow = wf.File
	}
	in := Build(wf, job, key, task)
	g.resolve(ctx, in)
	var ds []Decision
	if g.Policy != nil {
		ds = g.Policy.Evaluate(in)
	}
	if g.Record != nil {
		g.Record(wf.File, key, in, ds)
	}
	return Problems(wf.File, ds)
}

// Problems turns the deny and warn decisions into problems of file.
func Problems(file string, ds []Decision) []plan.Problem {
	var out []plan.Problem
	for _, d := range ds {
		switch d.Outcome {
		case OutcomeDeny:
			out = append(out, plan.Problem{Pos: plan.Position{File: file}, Message: d.Line(), Severity: plan.SeverityError})
		case OutcomeWarn:
			out = append(out, plan.Problem{Pos: plan.Position{File: file}, Message: d.Line(), Severity: plan.SeverityWarning})
		}
	}
	return out
}

// resolve fills in the commits of in's unpinned action and workflow
// references, each asked once per Gate.
func (g *Gate) resolve(ctx context.Context, in *Input) {
	if g.Commits == nil {
		return
	}
	for i := range in.Job.Uses {
		u := &in.Job.Uses[i]
		if u.SHA != "" || (u.Kind != "action" && u.Kind != "workflow") {
			continue
		}
		g.mu.Lock()
		sha, ok := g.commits[u.Uses]
		g.mu.Unlock()
		if !ok {
			var err error
			if sha, err = g.Commits.Commit(ctx, u.Uses); err != nil {
				continue
			}
			g.mu.Lock()
			if g.commits == nil {
				g.commits = map[string]string{}
			}
			g.commits[u.Uses] = sha
			g.mu.Unlock()
		}
		u.SHA = sha
	}
}
