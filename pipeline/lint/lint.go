package lint

import (
	"strings"

	"codeberg.org/anvil-ci/anvil/pipeline"
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
	// Advisory adds the problems that do not stop a workflow from running
	// (see Finding.Advisory) to what Workflow returns. Check always
	// returns them.
	Advisory bool
	// Task says that the file is the workflow of a forge task: one job
	// whose needs are not in the file (the task brings their results), as
	// pipeline.ParseTaskWorkflow reads it. Needs of jobs outside the file,
	// and needs.<job> of them in expressions, are then no problem.
	Task bool
}

// Finding is one problem found in a workflow file.
type Finding struct {
	Pos pipeline.Position `json:"pos"`
	// Message says what is wrong and, where it can, what to do.
	Message string `json:"message"`
	// Rule names the check that found it: an actionlint rule
	// (expression, syntax-check, ...), runner-label, or anvil for
	// problems of anvil's own parser.
	Rule string `json:"rule"`
	// Advisory is set for problems that do not stop the workflow from
	// running as written: untrusted input in scripts, hard-coded
	// credentials, deprecated workflow commands, constant if: conditions,
	// undeclared action inputs, unknown permission scopes.
	Advisory bool `json:"advisory,omitempty"`
}

// Problem returns f as a pipeline.Problem whose message ends with the rule
// in brackets, so that it prints as "file:line:col: message [rule]".
func (f Finding) Problem() pipeline.Problem {
	return pipeline.Problem{Pos: f.Pos, Message: f.Message + " [" + f.Rule + "]"}
}

// String formats f as "file:line:col: message [rule]".
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
func Workflow(file string, data []byte, opts Options) []pipeline.Problem {
	return New(opts).Workflow(file, data)
}

// Workflow checks one workflow file: file names it in positions, data is
// its content. It returns every problem in file order, each message ending
// with its rule in brackets, or nil when there is none. Advisory problems
// are included only when the Options ask for them.
func (l *Linter) Workflow(file string, data []byte) []pipeline.Problem {
	var out []pipeline.Problem
	for _, f := range l.Check(file, data) {
		if f.Advisory && !l.opts.Advisory {
			continue
		}
		out = append(out, f.Problem())
	}
	return out
}

// Check checks one workflow file and returns every finding, advisory ones
// included, in file order: anvil's parser first, then actionlint's rules,
// without the actionlint findings that repeat one of the parser's.
func (l *Linter) Check(file string, data []byte) []Finding {
	_, findings := l.Parse(file, data)
	return findings
}

// Parse reads a workflow with pipeline.ParseWorkflow and checks it as
// Check does, for callers that run what they check. The workflow is nil
// when anvil's parser found problems (they are among the findings).
func (l *Linter) Parse(file string, data []byte) (*pipeline.Workflow, []Finding) {
	parse := pipeline.ParseWorkflow
	if l.opts.Task {
		parse = pipeline.ParseTaskWorkflow
	}
	wf, err := parse(file, data)
	var own []Finding
	if err != nil {
		own = parserFindings(file, err)
	}
	return wf, merge(own, l.actionlint(file, data))
}
