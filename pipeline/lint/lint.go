package lint

import (
	"strings"

	"codeberg.org/anvil-ci/anvil/pipeline"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
	"codeberg.org/anvil-ci/anvil/pipeline/runopt"
)

// Options say what a workflow is checked against.
type Options struct {
	// Labels are the names of the runner's labels (ubuntu-latest, docker),
	// without their :schema part; a job's runs-on labels must all be among
	// them. Nil skips the runner-label rule. A "name:schema" entry counts
	// as its name.
	Labels []string
	// ConfigVars are the names of the configuration variables (vars
	// context) that exist; vars.X for any other X is a problem. Nil skips
	// the check.
	ConfigVars []string
	// Warnings adds the warnings (findings that do not stop a workflow
	// from running) to what Workflow returns. Check and Parse always
	// return them.
	Warnings bool
	// Containers is what the runner allows the containers of its jobs
	// (its container.privileged and container.valid_volumes); a job's
	// container or service options and volumes beyond it are errors,
	// since the Docker executor refuses them when the job starts. The
	// zero value is the executor's default, as anvil exec uses it.
	Containers runopt.Policy
	// Task says that the file is the workflow of a forge task, as
	// pipeline.ParseTaskWorkflow reads it: the forge's re-serialisation
	// of one job, without its needs: key (the task brings the results of
	// the jobs it needs), with scalars as strings and runs-on: [] for a
	// call of a reusable workflow. None of that is a problem then, and
	// findings name their job and step in Where instead of by line.
	Task bool
}

// Finding is one problem found in a workflow file.
type Finding struct {
	Pos plan.Position `json:"pos"`
	// Message says what is wrong and, where it can, what to do.
	Message string `json:"message"`
	// Rule names the check that found it: an actionlint rule
	// (expression, syntax-check, ...), runner-label, or anvil for
	// problems of anvil's own parser.
	Rule string `json:"rule"`
	// Severity is plan.SeverityError only for what GitHub or Forgejo
	// would refuse at run time too, or what anvil cannot build: invalid
	// YAML, no jobs, unknown or cyclic needs, an expression that does not
	// parse, an undefined context or function, a matrix over 256
	// combinations, a step that is neither run nor uses, container
	// options or volumes the Docker executor refuses (see Containers). Everything else
	// (unknown keys, types that do not fit, risks such as untrusted input
	// in scripts) is plan.SeverityWarning and never fails a job.
	Severity plan.Severity `json:"severity"`
	// Where names the job and step of a finding in a forge task's
	// payload, whose lines are not the file's (Options.Task).
	Where string `json:"where,omitempty"`
}

// IsError reports whether f stops the jobs it is about.
func (f Finding) IsError() bool {
	return f.Severity != plan.SeverityWarning
}

// Problem returns f as a plan.Problem whose message ends with the rule
// in brackets, so that it prints as "file:line:col: message [rule]".
func (f Finding) Problem() plan.Problem {
	return plan.Problem{Pos: f.Pos, Message: f.Message + " [" + f.Rule + "]", Severity: f.Severity, Where: f.Where}
}

// String formats f as "file:line:col: message [rule]", or "file: where:
// message [rule]" in a forge task.
func (f Finding) String() string {
	return f.Problem().String()
}

// RuleAnvil is the rule of problems found by anvil's own parser.
const RuleAnvil = "anvil"

// Linter checks workflows against fixed Options. It is safe for concurrent
// use; each call checks one file.
type Linter struct {
	opts   Options
	labels map[string]bool
}

// New returns a Linter for opts.
func New(opts Options) *Linter {
	l := &Linter{opts: opts}
	if opts.Labels != nil {
		l.labels = make(map[string]bool, len(opts.Labels))
		for _, label := range opts.Labels {
			name, _, _ := strings.Cut(label, ":")
			l.labels[name] = true
		}
	}
	return l
}

// Workflow checks one workflow file with opts; see Linter.Workflow.
func Workflow(file string, data []byte, opts Options) []plan.Problem {
	return New(opts).Workflow(file, data)
}

// Workflow checks one workflow file: file names it in positions, data is
// its content. It returns the errors in file order, each message ending
// with its rule in brackets and carrying its severity, or nil when there
// is none; the warnings too when the Options ask for them.
func (l *Linter) Workflow(file string, data []byte) []plan.Problem {
	var out []plan.Problem
	for _, f := range l.Check(file, data) {
		if !f.IsError() && !l.opts.Warnings {
			continue
		}
		out = append(out, f.Problem())
	}
	return out
}

// Check checks one workflow file and returns every finding, errors and
// warnings, in file order: anvil's parser first, then actionlint's rules,
// without the actionlint findings that repeat one of the parser's.
func (l *Linter) Check(file string, data []byte) []Finding {
	_, findings := l.Parse(file, data)
	return findings
}

// Parse reads a workflow with pipeline.ParseWorkflow (ParseTaskWorkflow
// for Options.Task) and checks it as Check does, for callers that run what
// they check. The workflow is nil when anvil's parser found an error (it
// is among the findings); otherwise its Problems are all the findings,
// errors and warnings, as pipeline.Problems.
func (l *Linter) Parse(file string, data []byte) (*plan.Workflow, []Finding) {
	parse := pipeline.ParseWorkflow
	if l.opts.Task {
		parse = pipeline.ParseTaskWorkflow
	}
	// Anvil's parser checks the limits before it decodes; a file it
	// accepts is within them.
	wf, err := parse(file, data)
	var own []Finding
	switch {
	case err != nil:
		if lerr := pipeline.CheckLimits(file, data); lerr != nil {
			// Nothing else may read a file over the limits: actionlint
			// could run out of stack or memory on it.
			return nil, parserFindings(file, lerr)
		}
		own = parserFindings(file, err)
	case wf != nil:
		own = problemFindings(wf.Problems)
	}
	findings := merge(own, l.actionlint(file, data))
	if l.opts.Task {
		locate(findings, data)
	}
	if wf != nil {
		wf.Problems = make([]plan.Problem, len(findings))
		for i, f := range findings {
			wf.Problems[i] = f.Problem()
		}
	}
	return wf, findings
}
