package executor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"codeberg.org/anvil-ci/anvil/pipeline/expr"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// maxCompositeDepth bounds nested composite actions, as GitHub does.
const maxCompositeDepth = 10

// loadAction reads action.yml, or else action.yaml, from dir with l.
func loadAction(l Loader, dir string) (*plan.Action, error) {
	if l == nil {
		return nil, errNoLoader
	}
	for _, name := range []string{"action.yml", "action.yaml"} {
		a, err := l.LoadAction(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		return a, err
	}
	return nil, fmt.Errorf("no action.yml or action.yaml in %s: local actions are read from the workspace, so check out the repository first (uses: actions/checkout@v4)", dir)
}

// runLocalAction runs a uses: ./path step. The action, and every file of
// it that anvil reads or runs, must be inside the workspace: a path that
// leads out of it, directly or through a symbolic link in the repository,
// would read or run files of the machine (and copy them into a job
// container), so it fails the step with an error that names the escape.
func (s *stepRun) runLocalAction(ctx context.Context, c *expr.Contexts) error {
	ws := s.j.spec.Workspace
	dir, err := workspacePath(ws, s.st.Uses)
	for _, name := range []string{"action.yml", "action.yaml"} {
		if err == nil {
			err = confined(ws, filepath.Join(dir, name), strings.TrimSuffix(s.st.Uses, "/")+"/"+name)
		}
	}
	if err != nil {
		return fmt.Errorf("%s: uses: %w; local actions must be in the repository", posString(s.st.Pos), err)
	}
	return s.runActionIn(ctx, c, dir, ws)
}

// runRemoteAction resolves a uses: owner/repo@ref step and runs it.
func (s *stepRun) runRemoteAction(ctx context.Context, c *expr.Contexts) error {
	dir, err := s.j.engine().cfg.Actions.ResolveAction(ctx, s.st.Uses)
	if err != nil {
		return fmt.Errorf("%s: %w", posString(s.st.Pos), err)
	}
	return s.runActionAt(ctx, c, dir)
}

// runActionAt runs the action whose action.yml is in dir.
func (s *stepRun) runActionAt(ctx context.Context, c *expr.Contexts, dir string) error {
	return s.runActionIn(ctx, c, dir, "")
}

// runActionIn runs the action whose action.yml is in dir; when root is not
// empty, the action's files must all be inside root.
func (s *stepRun) runActionIn(ctx context.Context, c *expr.Contexts, dir, root string) error {
	st := s.st
	action, err := loadAction(s.j.w.engine.cfg.Loader, dir)
	if err != nil {
		return fmt.Errorf("%s: %w", posString(st.Pos), err)
	}
	if root != "" {
		if err := confinedFiles(action, dir, root); err != nil {
			return fmt.Errorf("%s: uses: %s: %w; local actions must be in the repository", posString(st.Pos), st.Uses, err)
		}
	}
	inputs, err := s.actionInputs(c, action)
	if err != nil {
		return err
	}
	switch using := action.Runs.Using; {
	case using == "composite":
		return s.runComposite(ctx, action, dir, inputs)
	case strings.HasPrefix(using, "node"):
		return s.runNode(ctx, c, action, dir, inputs)
	case using == "docker":
		return s.runDockerAction(ctx, action, dir, inputs)
	default:
		return fmt.Errorf("%s: %s: runs.using %q is not supported (use composite, node20, node24 or docker)", posString(st.Pos), action.File, using)
	}
}

// confinedFiles checks that the files of action, in dir, that anvil runs
// or builds from are inside root: a node action's scripts, a docker
// action's Dockerfile and build context.
func confinedFiles(action *plan.Action, dir, root string) error {
	files := map[string]string{}
	r := action.Runs
	for _, f := range []string{r.Main, r.Pre, r.Post} {
		if f != "" && strings.HasPrefix(r.Using, "node") {
			files[f] = filepath.Join(dir, filepath.FromSlash(f))
		}
	}
	if r.Using == "docker" && r.Image != "" && !strings.HasPrefix(r.Image, "docker://") {
		files[r.Image] = filepath.Join(dir, filepath.FromSlash(r.Image))
		files[path.Dir(r.Image)] = filepath.Dir(files[r.Image])
	}
	for _, name := range sortedKeys(files) {
		if err := confined(root, files[name], name); err != nil {
			return err
		}
	}
	return nil
}

// actionInputs evaluates with: and the declared defaults into the inputs
// context of the action.
func (s *stepRun) actionInputs(c *expr.Contexts, action *plan.Action) (map[string]string, error) {
	st := s.st
	inputs := map[string]string{}
	for k, v := range st.With {
		val, err := c.Interpolate(v)
		if err != nil {
			return nil, fmt.Errorf("%s: with.%s: %w", posString(st.Pos), k, err)
		}
		inputs[strings.ToLower(k)] = val
	}
	var unexpected []string
	for k := range inputs {
		if _, ok := lookupInput(action.Inputs, k); !ok {
			unexpected = append(unexpected, k)
		}
	}
	if len(unexpected) > 0 {
		sort.Strings(unexpected)
		s.log("warning", "Unexpected input(s) '%s', valid inputs are ['%s']", strings.Join(unexpected, "', '"), strings.Join(sortedKeys(action.Inputs), "', '"))
	}
	for name, in := range action.Inputs {
		key := strings.ToLower(name)
		if _, ok := inputs[key]; ok {
			if in.DeprecationMessage != "" {
				s.log("warning", "Input '%s' has been deprecated with message: %s", name, in.DeprecationMessage)
			}
			continue
		}
		if in.Default != "" {
			val, err := c.Interpolate(in.Default)
			if err != nil {
				return nil, fmt.Errorf("%s: default of input %s: %w", action.File, name, err)
			}
			inputs[key] = val
			continue
		}
		if in.Required {
			s.log("warning", "Input required and not supplied: %s", name)
		}
		inputs[key] = ""
	}
	return inputs, nil
}

func lookupInput(m map[string]plan.ActionInput, key string) (plan.ActionInput, bool) {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return plan.ActionInput{}, false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// runComposite runs the steps of a composite action in their own scope.
func (s *stepRun) runComposite(ctx context.Context, action *plan.Action, dir string, inputs map[string]string) error {
	j := s.j
	if s.sc.depth >= maxCompositeDepth {
		return fmt.Errorf("%s: composite actions are nested more than %d deep", posString(s.st.Pos), maxCompositeDepth)
	}
	in := make(map[string]any, len(inputs))
	for k, v := range inputs {
		in[k] = v
	}
	sc := &scope{
		steps:      map[string]expr.StepResult{},
		inputs:     in,
		env:        merged(s.env),
		actionPath: dir,
		depth:      s.sc.depth + 1,
		index:      s.sc.index,
		stage:      s.sc.stage,
		summary:    &s.summary,
	}
	prevPath := j.github["action_path"]
	j.github["action_path"] = j.env.Path(dir)
	defer func() { j.github["action_path"] = prevPath }()
	for _, st := range action.Runs.Steps {
		j.runStep(ctx, sc, st)
	}
	c := j.contexts(sc.env)
	c.Steps = sc.steps
	c.Inputs = in
	for name, o := range action.Outputs {
		if name == passThroughOutput {
			s.passThroughOutputs(c, action, o.Value)
			continue
		}
		val, err := c.Interpolate(o.Value)
		if err != nil {
			s.log("error", "%s: output %s: %v", action.File, name, err)
			sc.failed = true
			continue
		}
		s.outputs[name] = val
	}
	if sc.failed {
		return fmt.Errorf("%w: a step of %s failed", errStepFailed, s.st.Uses)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s was cancelled: %w", s.st.Uses, err)
	}
	return nil
}

// passThroughOutput is an Anvil extension for composite actions whose
// outputs are only known at run time (terraform-apply exports one output
// per Terraform output): an output named "*" whose value is a step's
// outputs object, e.g. ${{ steps.apply.outputs }}, makes every output of
// that step an output of the action, unless the action declares one of
// the same name.
const passThroughOutput = "*"

// passThroughOutputs copies the outputs object expression evaluates to
// into the step's outputs, leaving declared outputs alone.
func (s *stepRun) passThroughOutputs(c *expr.Contexts, action *plan.Action, expression string) {
	v, err := c.Evaluate(expression)
	if err != nil {
		s.log("error", "%s: output *: %v", action.File, err)
		s.sc.failed = true
		return
	}
	outputs := map[string]string{}
	switch m := v.(type) {
	case map[string]string:
		outputs = m
	case map[string]any:
		for k, val := range m {
			outputs[k] = expr.ToString(val)
		}
	default:
		s.log("warning", "%s: output * is not a step's outputs object; write ${{ steps.ID.outputs }}", action.File)
		return
	}
	for k, val := range outputs {
		if _, declared := action.Outputs[k]; !declared {
			s.outputs[k] = val
		}
	}
}

var inputEnvName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[ ]`) })

// inputEnv gives the INPUT_* variables of an action's inputs.
func inputEnv(inputs map[string]string) map[string]string {
	env := make(map[string]string, len(inputs))
	for k, v := range inputs {
		env["INPUT_"+strings.ToUpper(inputEnvName().ReplaceAllString(k, "_"))] = v
	}
	return env
}

// runNode runs a node action's pre (for local actions, right before main),
// its main, and registers its post step.
func (s *stepRun) runNode(ctx context.Context, c *expr.Contexts, action *plan.Action, dir string, inputs map[string]string) error {
	j, st := s.j, s.st
	extra := merged(inputEnv(inputs), action.Runs.Env)
	workdir := j.env.Path(j.spec.Workspace)
	script := func(file string) []string {
		return []string{"node", j.env.Path(filepath.Join(dir, filepath.FromSlash(file)))}
	}
	if !j.hasProgram(ctx, "node") {
		return fmt.Errorf("%s: %s is a %s action but node is not on the job's PATH: install Node.js on the runner or run the job in a container with node", posString(st.Pos), st.Uses, action.Runs.Using)
	}
	s.sc.actionPath = dir
	defer func() { s.sc.actionPath = "" }()
	if pre, ok := j.preState[s.sc.index]; ok && s.sc.depth == 0 {
		// The pre script already ran when the job started.
		s.state = pre
	} else if action.Runs.Pre != "" {
		ok, err := c.Condition(orDefault(action.Runs.PreIf, "always()"), expr.LevelStep)
		if err != nil {
			return fmt.Errorf("%s: pre-if: %w", action.File, err)
		}
		if ok {
			prevStage := s.sc.stage
			s.sc.stage = "pre"
			err := s.exec(ctx, script(action.Runs.Pre), workdir, extra)
			s.sc.stage = prevStage
			if err != nil {
				return err
			}
		}
	}
	err := s.exec(ctx, script(action.Runs.Main), workdir, merged(extra, stateEnv(s.state)))
	if action.Runs.Post != "" {
		s.registerPost(action, dir, extra)
	}
	return err
}

func orDefault(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}

func stateEnv(state map[string]string) map[string]string {
	env := make(map[string]string, len(state))
	for k, v := range state {
		env["STATE_"+k] = v
	}
	return env
}

// registerPost queues the action's post script for the end of the job.
func (s *stepRun) registerPost(action *plan.Action, dir string, extra map[string]string) {
	j := s.j
	index, name := s.sc.index, "Post "+s.st.DisplayName()
	state := s.state
	env := s.env
	j.posts = append(j.posts, func(ctx context.Context) {
		e := j.engine()
		post := &stepRun{j: j, st: s.st, id: s.id, env: env, outputs: map[string]string{}, state: map[string]string{},
			sc: &scope{steps: j.stepsCtx, actionPath: dir, index: index, stage: "post"}}
		c := j.contexts(env)
		ok, err := c.Condition(orDefault(action.Runs.PostIf, "always()"), expr.LevelStep)
		if err != nil {
			post.log("error", "%s: post-if: %v", action.File, err)
			j.failed = true
			return
		}
		if !ok {
			return
		}
		start := e.cfg.Now()
		j.emit(Event{Kind: EventStepStart, Step: index, StepName: name, Stage: "post"})
		result := ResultSuccess
		errMsg := ""
		args := []string{"node", j.env.Path(filepath.Join(dir, filepath.FromSlash(action.Runs.Post)))}
		if err := post.exec(ctx, args, j.env.Path(j.spec.Workspace), merged(extra, stateEnv(state))); err != nil {
			result, errMsg = ResultFailure, strings.TrimPrefix(err.Error(), errStepFailed.Error()+": ")
			post.log("error", "%s", errMsg)
			j.failed = true
		}
		j.emit(Event{Kind: EventStepEnd, Step: index, StepName: name, Stage: "post", Result: result, Outcome: result,
			Duration: e.since(start), Error: errMsg})
	})
}
