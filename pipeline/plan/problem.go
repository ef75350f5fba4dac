package plan

import (
	"fmt"
	"strings"
)

// Severity says whether a problem stops the jobs it is about.
type Severity string

const (
	// SeverityError is a problem GitHub or Forgejo would also refuse at
	// run time: the jobs it is about fail before their first step.
	SeverityError Severity = "error"
	// SeverityWarning is shown (job log, terminal) and never fails a job.
	SeverityWarning Severity = "warning"
)

// Problem is one thing wrong with a workflow or action file, with where it is.
type Problem struct {
	Pos     Position `json:"pos"`
	Message string   `json:"message"`
	// Severity is SeverityError or SeverityWarning; empty means error.
	Severity Severity `json:"severity,omitempty"`
	// Where, when set, names the place by job and step (job "build",
	// step 2 "Test") instead of Pos's line and column: a forge payload is
	// the server's re-serialisation, whose lines are not the file's.
	Where string `json:"where,omitempty"`
}

// IsError reports whether p stops the jobs it is about.
func (p Problem) IsError() bool { return p.Severity != SeverityWarning }

// String formats p as "file:line:col: message", or "file: where: message"
// when Where is set.
func (p Problem) String() string {
	if p.Where != "" {
		return fmt.Sprintf("%s: %s: %s", p.Pos.File, p.Where, p.Message)
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.Pos.File, p.Pos.Line, p.Pos.Column, p.Message)
}

// Errors is every problem found in a file, in file order. It is the error
// pipeline.ParseWorkflow and pipeline.ParseAction return for invalid
// input; get it back with errors.As.
type Errors []Problem

// Error returns one "file:line:col: message" line per problem.
func (e Errors) Error() string {
	var b strings.Builder
	for i, p := range e {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// FormatProblem formats p as Problem.String does, with its severity
// ("error" or "warning") before the message: "file:line:col: warning:
// message", or "file: where: warning: message".
func FormatProblem(p Problem) string {
	sev := SeverityError
	if !p.IsError() {
		sev = SeverityWarning
	}
	p.Message = fmt.Sprintf("%s: %s", sev, p.Message)
	return p.String()
}
