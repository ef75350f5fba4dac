package executor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"codeberg.org/anvil-ci/anvil/pipeline/expr"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// errStepFailed marks a step whose process or action reported failure (as
// opposed to anvil failing to run it).
var errStepFailed = errors.New("step failed")

// scope is what differs between the job's own steps and the steps of a
// composite action: the steps context, the inputs, the action's files.
type scope struct {
	steps      map[string]expr.StepResult
	inputs     map[string]any
	env        map[string]string // the composite's env, inherited by its steps
	defaults   plan.RunDefaults
	actionPath string // GITHUB_ACTION_PATH inside a composite action
	depth      int
	failed     bool // a step of this composite failed
	// index is the job step the lines belong to (events); stage too.
	index int
	stage string
	// summary collects the step summaries of a composite's steps into the
	// composite step's own.
	summary *strings.Builder
}

// stepRun carries one step's state while it runs.
type stepRun struct {
	j       *jobInstance
	sc      *scope
	st      *plan.Step
	env     map[string]string // the step's evaluated env (workflow, job, GITHUB_ENV, step)
	outputs map[string]string
	state   map[string]string // GITHUB_STATE / save-state for the post step
	summary strings.Builder
	id      string // GITHUB_ACTION
}

// stepEvent fills an event for the current step.
func (s *stepRun) event(ev Event) Event {
	ev.Step = s.sc.index
	ev.Stage = s.sc.stage
	if ev.Stage == "" {
		ev.Stage = "main"
	}
	return ev
}

// log writes a line under the current step.
func (s *stepRun) log(level, format string, args ...any) {
	s.j.emit(s.event(Event{Kind: EventLog, Level: level, Line: fmt.Sprintf(format, args...)}))
}

// runStep evaluates a step's condition and runs it, recording its result in
// the scope's steps context. Top-level steps emit step events; steps of a
// composite action log under their parent step.
func (j *jobInstance) runStep(ctx context.Context, sc *scope, st *plan.Step) Result {
	e := j.engine()
	top := sc.depth == 0
	s := &stepRun{j: j, sc: sc, st: st, outputs: map[string]string{}, state: map[string]string{}}
	j.actionN++
	s.id = st.ID
	if s.id == "" {
		s.id = fmt.Sprintf("__run_%d", j.actionN)
	}
	name := st.DisplayName()
	nc := j.contexts(j.stepEnvBase(sc))
	nc.Steps, nc.Inputs = sc.steps, sc.inputs
	if n, err := nc.Interpolate(name); err == nil {
		name = n
	}
	start := e.cfg.Now()
	if top {
		j.emit(Event{Kind: EventStepStart, Step: sc.index, StepName: name, Stage: "main"})
	} else if st.Run == "" {
		s.log("", "▶ %s", name)
	}
	outcome, conclusion, errMsg := s.execute(ctx)
	if st.ID != "" || top {
		sc.steps[s.id] = expr.StepResult{Outputs: s.outputs, Outcome: string(outcome), Conclusion: string(conclusion)}
	}
	if conclusion == ResultFailure {
		if top {
			j.failed = true
		} else {
			sc.failed = true
		}
	}
	if !top && sc.summary != nil {
		sc.summary.WriteString(s.summary.String())
	}
	if top {
		summary := e.masker.Mask(s.summary.String())
		if summary != "" {
			j.summary.WriteString(summary)
			if !strings.HasSuffix(summary, "\n") {
				j.summary.WriteString("\n")
			}
		}
		j.result.Steps = append(j.result.Steps, &StepResult{Index: sc.index, ID: st.ID, Name: e.masker.Mask(name),
			Result: conclusion, Outcome: outcome, Duration: e.since(start), Outputs: s.outputs})
		j.emit(Event{Kind: EventStepEnd, Step: sc.index, StepName: name, Stage: "main", Result: conclusion,
			Outcome: outcome, Duration: e.since(start), Outputs: s.outputs, Summary: summary, Error: errMsg})
	}
	return conclusion
}

// stepEnvBase is the env a step starts from before its own env block.
func (j *jobInstance) stepEnvBase(sc *scope) map[string]string {
	if sc.env != nil {
		return sc.env
	}
	return j.jobEnv
}

// execute runs the step and returns its outcome, its conclusion (after
// continue-on-error) and an error message for the step end event.
func (s *stepRun) execute(ctx context.Context) (outcome, conclusion Result, errMsg string) {
	j, st := s.j, s.st
	where := posString(st.Pos)
	c := j.contexts(j.stepEnvBase(s.sc))
	c.Steps = s.sc.steps
	c.Inputs = s.sc.inputs
	if s.sc.depth > 0 {
		// Inside a composite action the status functions look at the
		// action's own steps.
		c.Status.Failed = s.sc.failed
	}
	run, err := c.Condition(st.If, expr.LevelStep)
	if err != nil {
		msg := fmt.Sprintf("%s: evaluating if: %v", where, err)
		s.log("error", "%s", msg)
		return ResultFailure, ResultFailure, msg
	}
	if !run {
		return ResultSkipped, ResultSkipped, ""
	}
	// Step env: the job env, then GITHUB_ENV additions, then the step's.
	env := maps.Clone(j.stepEnvBase(s.sc))
	c.Env = env
	for k, v := range st.Env {
		val, err := c.Interpolate(v)
		if err != nil {
			msg := fmt.Sprintf("%s: env %s: %v", where, k, err)
			s.log("error", "%s", msg)
			return ResultFailure, ResultFailure, msg
		}
		env[k] = val
	}
	s.env = env
	continueOnError := false
	if st.ContinueOnError != "" {
		v, err := c.Interpolate(st.ContinueOnError)
		if err != nil {
			msg := fmt.Sprintf("%s: continue-on-error: %v", where, err)
			s.log("error", "%s", msg)
			return ResultFailure, ResultFailure, msg
		}
		continueOnError = isTrue(v)
	}
	stepCtx := ctx
	if st.TimeoutMinutes != "" {
		d, err := j.minutes(st.TimeoutMinutes, env)
		if err != nil {
			msg := fmt.Sprintf("%s: timeout-minutes: %v", where, err)
			s.log("error", "%s", msg)
			return ResultFailure, ResultFailure, msg
		}
		var cancel context.CancelFunc
		stepCtx, cancel = context.WithTimeoutCause(ctx, d, errStepTimeout)
		defer cancel()
	}
	err = s.dispatch(stepCtx, c)
	outcome = ResultSuccess
	if err != nil {
		outcome = ResultFailure
		if context.Cause(stepCtx) == errStepTimeout && ctx.Err() == nil {
			errMsg = fmt.Sprintf("The step has timed out after %s minutes.", st.TimeoutMinutes)
		} else if !errors.Is(err, errStepFailed) {
			errMsg = err.Error()
		} else {
			errMsg = strings.TrimPrefix(err.Error(), errStepFailed.Error()+": ")
		}
		if ctx.Err() != nil && context.Cause(stepCtx) != errStepTimeout {
			outcome = ResultCancelled
			errMsg = "The operation was canceled."
		}
		s.log("error", "%s", errMsg)
	}
	conclusion = outcome
	if outcome == ResultFailure && continueOnError {
		conclusion = ResultSuccess
	}
	return outcome, conclusion, errMsg
}

// dispatch runs the step by its kind.
func (s *stepRun) dispatch(ctx context.Context, c *expr.Contexts) error {
	st := s.st
	switch {
	case st.Run != "":
		return s.runScript(ctx, c)
	case strings.HasPrefix(st.Uses, "docker://"):
		return s.runDockerStep(ctx, c)
	case strings.HasPrefix(st.Uses, "./"):
		return s.runLocalAction(ctx, c)
	case isCheckout(st.Uses) && s.j.engine().cfg.LocalCheckout:
		return s.runCheckout(ctx, c)
	case st.Uses != "" && s.j.engine().cfg.Actions != nil:
		return s.runRemoteAction(ctx, c)
	case st.Uses != "":
		return fmt.Errorf("%s: remote action %s cannot be resolved: this version of anvil runs local actions (uses: ./path) and actions/checkout; copy the action into the repository (e.g. .forgejo/actions/NAME) and use it as ./.forgejo/actions/NAME", posString(st.Pos), st.Uses)
	}
	return fmt.Errorf("%s: step has neither run nor uses", posString(st.Pos))
}
