package executor

import (
	"context"
	"path/filepath"
	"strings"

	"codeberg.org/anvil-ci/anvil/pipeline/expr"
)

// runPreSteps runs, as GitHub does while setting up a job, the pre scripts
// of the remote node actions the job uses. Local actions (uses: ./path)
// are not there before the checkout, so their pre script runs right before
// their main script instead. A remote action that cannot be resolved here
// is left for its step to report.
func (j *jobInstance) runPreSteps(ctx context.Context) {
	e := j.engine()
	if e.cfg.Actions == nil {
		return
	}
	for _, st := range j.job.Steps {
		if !isRemoteAction(st.Uses) || (isCheckout(st.Uses) && e.cfg.LocalCheckout) {
			continue
		}
		dir, err := e.cfg.Actions.ResolveAction(ctx, st.Uses)
		if err != nil {
			continue
		}
		action, err := loadAction(e.cfg.Loader, dir)
		if err != nil || !strings.HasPrefix(action.Runs.Using, "node") || action.Runs.Pre == "" {
			continue
		}
		sc := &scope{steps: j.stepsCtx, inputs: j.w.inputs, defaults: j.defaults(), index: st.Index, stage: "pre"}
		s := &stepRun{j: j, sc: sc, st: st, outputs: map[string]string{}, state: map[string]string{}, id: st.ID}
		c := j.contexts(j.jobEnv)
		ok, err := c.Condition(orDefault(action.Runs.PreIf, "always()"), expr.LevelStep)
		if err != nil {
			s.log("error", "%s: pre-if: %v", action.File, err)
			continue
		}
		if !ok {
			continue
		}
		s.env = merged(j.jobEnv)
		inputs, err := s.actionInputs(c, action)
		if err != nil {
			s.log("error", "%v", err)
			continue
		}
		name := "Pre " + st.DisplayName()
		start := e.cfg.Now()
		j.emit(Event{Kind: EventStepStart, Step: st.Index, StepName: name, Stage: "pre"})
		sc.actionPath = dir
		args := []string{"node", j.env.Path(filepath.Join(dir, filepath.FromSlash(action.Runs.Pre)))}
		result, errMsg := ResultSuccess, ""
		if err := s.exec(ctx, args, j.env.Path(j.spec.Workspace), merged(inputEnv(inputs), action.Runs.Env)); err != nil {
			result, errMsg = ResultFailure, strings.TrimPrefix(err.Error(), errStepFailed.Error()+": ")
			s.log("error", "%s", errMsg)
			j.failed = true
		}
		j.emit(Event{Kind: EventStepEnd, Step: st.Index, StepName: name, Stage: "pre", Result: result, Outcome: result,
			Duration: e.since(start), Error: errMsg})
		if j.preState == nil {
			j.preState = map[int]map[string]string{}
		}
		j.preState[st.Index] = s.state
	}
}

// isRemoteAction reports whether uses names an action fetched from
// elsewhere (not ./local, not docker://).
func isRemoteAction(uses string) bool {
	return uses != "" && !strings.HasPrefix(uses, "./") && !strings.HasPrefix(uses, "docker://")
}
