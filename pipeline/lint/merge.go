package lint

import (
	"cmp"
	"errors"
	"slices"
	"strings"

	"codeberg.org/anvil-ci/anvil/pipeline"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// parserFindings turns ParseWorkflow's error into findings.
func parserFindings(file string, err error) []Finding {
	var problems plan.Errors
	if !errors.As(err, &problems) {
		return []Finding{{Pos: plan.Position{File: file, Line: 1, Column: 1}, Message: err.Error(), Rule: RuleAnvil, Severity: plan.SeverityError}}
	}
	return problemFindings(problems)
}

// problemFindings turns the parser's problems into findings.
func problemFindings(problems []plan.Problem) []Finding {
	if len(problems) == 0 {
		return nil
	}
	out := make([]Finding, len(problems))
	for i, p := range problems {
		sev := plan.SeverityError
		if !p.IsError() {
			sev = plan.SeverityWarning
		}
		out[i] = Finding{Pos: p.Pos, Message: p.Message, Rule: RuleAnvil, Severity: sev, Where: p.Where}
	}
	return out
}

// locate names the job and step of each finding in a forge task's
// payload (data).
func locate(findings []Finding, data []byte) {
	l := pipeline.LocateIn(data)
	if l == nil {
		return
	}
	for i := range findings {
		if findings[i].Where == "" {
			findings[i].Where = l.Where(findings[i].Pos.Line)
		}
	}
}

// merge combines anvil's findings with actionlint's in file order,
// leaving out actionlint's findings that repeat one of anvil's: anvil's
// message is kept, since it is what anvil acts on.
func merge(own, theirs []Finding) []Finding {
	if len(own) == 0 {
		return theirs
	}
	out := slices.Clip(own)
	for _, f := range theirs {
		if !repeats(f, own) {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Column, b.Pos.Column))
	})
	return out
}

// repeats reports whether actionlint's finding f is a problem anvil also
// found: one on the same line (at the same place for the file-level
// problems anvil reports at 1:1), or one of the few that the two report
// on different lines. A warning of anvil's does not stand for an error of
// actionlint's on its line.
func repeats(f Finding, own []Finding) bool {
	theirs := strings.ToLower(f.Message)
	names := quotedNames(theirs)
	for _, o := range own {
		if o.Pos.Line == f.Pos.Line && (o.Pos.Column == f.Pos.Column || o.Pos.Line != 1 || o.Pos.Column != 1) &&
			(o.IsError() || !f.IsError()) {
			return true
		}
		if twins(f, o, theirs, names) {
			return true
		}
	}
	return false
}

// twins reports whether actionlint's finding f (theirs is its message in
// lower case, names the quoted parts of it) and anvil's finding o are one
// problem that the two place on different lines.
func twins(f, o Finding, theirs string, names []string) bool {
	ours := strings.ToLower(o.Message)
	switch {
	case f.Rule == "job-needs" && strings.Contains(theirs, "which does not exist in this workflow") && len(names) >= 2:
		// actionlint points at the job, anvil at the need (or at needs
		// when it is not a list of ids).
		return strings.Contains(ours, "job "+names[0]+" needs "+names[1]) ||
			strings.Contains(ours, "jobs."+unquote(names[0])+".needs ")
	case f.Rule == "job-needs" && strings.HasPrefix(theirs, "cyclic dependencies"):
		// Each may start the cycle at another job.
		return strings.Contains(ours, "needs cycle") || strings.Contains(ours, "needs itself")
	case strings.Contains(theirs, `but also contains "uses" key`):
		// actionlint points at uses, anvil at the step: keys of one
		// mapping share their column.
		return strings.Contains(ours, "has both run and uses") && o.Pos.Column == f.Pos.Column && o.Pos.Line <= f.Pos.Line
	case strings.Contains(theirs, "section is missing in job ") && len(names) >= 2:
		// A job anvil found broken: missing steps or runs-on follow.
		job := names[len(names)-1]
		return strings.Contains(ours, "job "+job) || strings.Contains(ours, "jobs."+unquote(job)+".")
	case strings.HasPrefix(theirs, "when a reusable workflow is called with") && len(names) >= 1:
		return strings.Contains(ours, "job "+names[len(names)-1]+" has both steps and uses")
	case strings.Contains(theirs, `but "options" is not set`) && len(names) >= 1:
		return strings.Contains(ours, "inputs."+unquote(names[0])+" is a choice without options")
	}
	return false
}

// unquote strips the double quotes around a quoted name.
func unquote(s string) string {
	return strings.Trim(s, `"`)
}

// quotedNames returns the double-quoted parts of msg, quotes included.
func quotedNames(msg string) []string {
	var out []string
	for {
		start := strings.IndexByte(msg, '"')
		if start < 0 {
			return out
		}
		end := strings.IndexByte(msg[start+1:], '"')
		if end < 0 {
			return out
		}
		out = append(out, msg[start:start+end+2])
		msg = msg[start+end+2:]
	}
}
