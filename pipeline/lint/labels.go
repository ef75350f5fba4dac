package lint

import (
	"slices"
	"strings"

	"github.com/rhysd/actionlint"
)

// ruleRunnerLabel is the name of the runner-label rule, as actionlint's.
const ruleRunnerLabel = "runner-label"

// runnerLabelRule checks that every runs-on label of a job is among the
// runner's labels: a Forgejo runner takes a job only when it has all of
// them (exact names), and a job no runner takes waits forever. It replaces
// actionlint's rule, which knows github.com's labels.
type runnerLabelRule struct {
	actionlint.RuleBase
	labels map[string]bool
	known  string
}

func newRunnerLabelRule(labels map[string]bool) *runnerLabelRule {
	names := make([]string, 0, len(labels))
	for l := range labels {
		names = append(names, l)
	}
	slices.Sort(names)
	known := "none"
	if len(names) > 0 {
		known = strings.Join(names, ", ")
	}
	return &runnerLabelRule{
		RuleBase: actionlint.NewRuleBase(ruleRunnerLabel, "Checks that runs-on labels are among the runner's labels"),
		labels:   labels,
		known:    known,
	}
}

// VisitJobPre checks the job's runs-on labels. A label that is an
// expression is checked when it is ${{ matrix.NAME }} and the matrix lists
// NAME's values; other expressions are only known at run time.
func (r *runnerLabelRule) VisitJobPre(j *actionlint.Job) error {
	if j.RunsOn == nil {
		return nil
	}
	labels := j.RunsOn.Labels
	if j.RunsOn.LabelsExpr != nil {
		labels = append(labels[:len(labels):len(labels)], j.RunsOn.LabelsExpr)
	}
	for _, l := range labels {
		if l == nil {
			continue
		}
		if !strings.Contains(l.Value, "${{") {
			r.check(l, l.Value, "")
			continue
		}
		for _, v := range matrixValues(j, l.Value) {
			r.check(l, v, " (a value of "+strings.TrimSpace(strings.Trim(strings.TrimSpace(l.Value), "${}"))+")")
		}
	}
	return nil
}

// check reports label at s unless the runner has it; from says where an
// expression's label comes from.
func (r *runnerLabelRule) check(s *actionlint.String, label, from string) {
	if r.labels[label] {
		return
	}
	r.Errorf(s.Pos, "label %q%s is not a label of this runner (it has: %s), so it never takes the job; change runs-on or add the label to the runner's labels",
		label, from, r.known)
}

// matrixValues returns the literal values of the matrix row that expr
// (${{ matrix.NAME }}) names, or nil.
func matrixValues(j *actionlint.Job, expr string) []string {
	inner, ok := strings.CutPrefix(strings.TrimSpace(expr), "${{")
	if !ok {
		return nil
	}
	inner, ok = strings.CutSuffix(inner, "}}")
	if !ok {
		return nil
	}
	name, ok := strings.CutPrefix(strings.TrimSpace(inner), "matrix.")
	if !ok || j.Strategy == nil || j.Strategy.Matrix == nil || j.Strategy.Matrix.Rows == nil {
		return nil
	}
	row, ok := j.Strategy.Matrix.Rows[strings.ToLower(name)]
	if !ok || row == nil || row.Expression != nil {
		return nil
	}
	var out []string
	for _, v := range row.Values {
		if s, ok := v.(*actionlint.RawYAMLString); ok && !strings.Contains(s.Value, "${{") {
			out = append(out, s.Value)
		}
	}
	return out
}
