package lint

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/rhysd/actionlint"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// ruleActionlint names findings about actionlint itself failing.
const ruleActionlint = "actionlint"

// actionlint runs actionlint's parser and rules on data, adapted to
// Forgejo, and returns its findings with their positions in data. YAML
// that does not load gives nothing: anvil's parser reports it.
func (l *Linter) actionlint(file string, data []byte) (out []Finding) {
	defer func() {
		// actionlint is fuzzed upstream, but bad input must never take
		// the caller down with it.
		if r := recover(); r != nil {
			out = []Finding{{
				Pos:      plan.Position{File: file, Line: 1, Column: 1},
				Message:  fmt.Sprintf("actionlint could not check this file (%v); anvil's own checks still apply", r),
				Rule:     ruleActionlint,
				Severity: plan.SeverityWarning,
			}}
		}
	}()
	src, aliases, ok := expandAliases(data)
	if !ok {
		return nil
	}
	w, errs := actionlint.Parse(src)
	if w == nil {
		return nil
	}
	m := adapt(w, src)
	c := newCheck(w, src, l.opts.Task)
	rules := l.rules(file)
	v := actionlint.NewVisitor()
	for _, r := range rules {
		v.AddPass(r)
	}
	if err := v.Visit(w); err != nil {
		return []Finding{{
			Pos:      plan.Position{File: file, Line: 1, Column: 1},
			Message:  fmt.Sprintf("actionlint could not check this file: %v; anvil's own checks still apply", err),
			Rule:     ruleActionlint,
			Severity: plan.SeverityWarning,
		}}
	}
	for _, r := range rules {
		errs = append(errs, r.Errs()...)
	}
	errs = append(errs, blockingErrors(w)...)
	out = make([]Finding, 0, len(errs))
	seen := make(map[actionlint.Error]bool, len(errs))
	for _, e := range errs {
		key := actionlint.Error{Message: e.Message, Line: e.Line, Column: e.Column, Kind: e.Kind}
		if seen[key] || c.accepted(e) {
			continue
		}
		seen[key] = true
		line, col, msg := m.restore(e.Line, e.Column, e.Message)
		col = aliases.restore(line, col)
		out = append(out, Finding{
			Pos:      plan.Position{File: file, Line: max(line, 1), Column: max(col, 1)},
			Message:  tidyMessage(msg),
			Rule:     e.Kind,
			Severity: c.severity(e),
		})
	}
	sortFindings(out)
	return out
}

// rules are the actionlint rules anvil applies to a file, configured from
// the Linter's options. GitHub's runner-label rule is replaced by one that
// checks the runner's own labels; shellcheck and pyflakes, which run
// external programs, are not used.
func (l *Linter) rules(file string) []actionlint.Rule {
	actions := actionlint.NewLocalActionsCache(nil, nil)
	workflows := actionlint.NewLocalReusableWorkflowCache(nil, "", nil)
	rules := []actionlint.Rule{
		actionlint.NewRuleMatrix(),
		actionlint.NewRuleCredentials(),
		actionlint.NewRuleShellName(),
		actionlint.NewRuleEvents(),
		actionlint.NewRuleJobNeeds(),
		actionlint.NewRuleAction(actions),
		actionlint.NewRuleEnvVar(),
		actionlint.NewRuleID(),
		actionlint.NewRuleGlob(),
		actionlint.NewRulePermissions(),
		actionlint.NewRuleWorkflowCall(file, workflows),
		actionlint.NewRuleExpression(actions, workflows),
		actionlint.NewRuleDeprecatedCommands(),
		actionlint.NewRuleIfCond(),
	}
	if l.labels != nil {
		rules = append(rules, newRunnerLabelRule(l.labels))
	}
	rules = append(rules, newContainerRule(l.opts.Containers))
	cfg := &actionlint.Config{ConfigVariables: l.opts.ConfigVars}
	for _, r := range rules {
		r.SetConfig(cfg)
	}
	return rules
}

// sortFindings orders findings by position, then rule and message, so
// that output does not depend on map order inside actionlint.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Column, b.Pos.Column),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// externalNeeds returns the lower-case ids of the jobs that jobs of w need
// and w does not have: in a forge task, the jobs that ran before it.
func externalNeeds(w *actionlint.Workflow) map[string]bool {
	out := map[string]bool{}
	for _, j := range w.Jobs {
		if j == nil {
			continue
		}
		for _, n := range j.Needs {
			if n != nil && w.Jobs[strings.ToLower(n.Value)] == nil {
				out[strings.ToLower(n.Value)] = true
			}
		}
	}
	return out
}

// aboutExternalNeed reports whether e is about a need outside the file:
// job-needs saying it does not exist, or the needs context lacking it
// (actionlint types needs from the needs: key, which a forge removes from
// a task's payload).
func aboutExternalNeed(e *actionlint.Error, outside map[string]bool) bool {
	if len(outside) == 0 {
		return false
	}
	names := quotedNames(e.Message)
	switch {
	case e.Kind == "job-needs" && strings.Contains(e.Message, "which does not exist in this workflow") && len(names) >= 2:
		return outside[strings.ToLower(unquote(names[1]))]
	case e.Kind == "expression" && strings.HasPrefix(e.Message, "property ") && len(names) >= 1:
		return outside[strings.ToLower(unquote(names[0]))] && strings.Contains(e.Message, " is not defined in object type ")
	}
	return false
}
