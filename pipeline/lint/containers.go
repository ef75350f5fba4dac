package lint

import (
	"maps"
	"slices"
	"strings"

	"github.com/rhysd/actionlint"

	"codeberg.org/anvil-ci/anvil/pipeline/runopt"
)

// ruleContainer is the name of the rule that checks containers' options:
// and volumes: against what the Docker executor accepts.
const ruleContainer = "container"

// containerRule reports in a job's container: and services: what the
// Docker executor refuses when the job starts (pipeline/runopt, the list
// the executor applies): docker run flags it does not support (--network,
// --pid, --device, ...), --privileged and --cap-add unless the runner's
// policy allows them, and host paths outside its valid volumes. Such a
// job fails anyway, so each finding is an error. Values with ${{ }} are
// only known when the job starts and are not checked.
type containerRule struct {
	actionlint.RuleBase
	policy runopt.Policy
}

func newContainerRule(policy runopt.Policy) *containerRule {
	policy.Options = "" // the runner's own options are its admin's business
	return &containerRule{
		RuleBase: actionlint.NewRuleBase(ruleContainer, "Checks container options and volumes against what the Docker executor accepts"),
		policy:   policy,
	}
}

// VisitJobPre checks the job's container and services.
func (r *containerRule) VisitJobPre(j *actionlint.Job) error {
	if j.Container != nil {
		r.check("container", j.Container)
	}
	if j.Services == nil {
		return nil
	}
	for _, id := range slices.Sorted(maps.Keys(j.Services.Value)) {
		if s := j.Services.Value[id]; s != nil && s.Container != nil {
			name := id
			if s.Name != nil {
				name = s.Name.Value
			}
			r.check("services."+name, s.Container)
		}
	}
	return nil
}

// check reports what the executor would refuse in c, named what.
func (r *containerRule) check(what string, c *actionlint.Container) {
	if o := c.Options; o != nil && !strings.Contains(o.Value, "${{") {
		for _, err := range r.policy.Check(what, o.Value, nil) {
			r.Errorf(o.Pos, "%v; the Docker executor refuses this when the job starts, so the job fails", err)
		}
	}
	// actionlint 1.7.7 reads volumes: into Ports, so the volumes are
	// the entries of either that are volumes: a port never has an
	// absolute path as its target.
	for _, v := range append(slices.Clip(c.Volumes), c.Ports...) {
		if v == nil || strings.Contains(v.Value, "${{") {
			continue
		}
		if _, err := runopt.ParseVolume(v.Value); err != nil {
			continue
		}
		for _, err := range r.policy.Check(what, "", []string{v.Value}) {
			r.Errorf(v.Pos, "%v; the Docker executor refuses this when the job starts, so the job fails", err)
		}
	}
}
