package executor

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"codeberg.org/anvil-ci/anvil/pipeline/expr"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// containerRunner returns the environment's ability to run container
// actions, or an error that says how to get it.
func (s *stepRun) containerRunner(what string) (ContainerActionRunner, error) {
	r, ok := s.j.env.(ContainerActionRunner)
	if !ok {
		return nil, fmt.Errorf("%s: %s needs the Docker executor: map this job's runs-on label to a docker:// image (anvil exec -P LABEL=docker://IMAGE, or the runner's labels)", posString(s.st.Pos), what)
	}
	return r, nil
}

// runDockerStep runs a uses: docker://IMAGE step: with.args and
// with.entrypoint as GitHub documents them.
func (s *stepRun) runDockerStep(ctx context.Context, c *expr.Contexts) error {
	st := s.st
	r, err := s.containerRunner(st.Uses)
	if err != nil {
		return err
	}
	with := map[string]string{}
	for k, v := range st.With {
		val, err := c.Interpolate(v)
		if err != nil {
			return fmt.Errorf("%s: with.%s: %w", posString(st.Pos), k, err)
		}
		with[k] = val
	}
	action := ContainerAction{
		Image:      strings.TrimPrefix(st.Uses, "docker://"),
		Entrypoint: with["entrypoint"],
		Args:       splitArgs(with["args"]),
	}
	return s.execContainer(ctx, r, action, inputEnv(with))
}

// runDockerAction runs an action with runs.using: docker.
func (s *stepRun) runDockerAction(ctx context.Context, action *plan.Action, dir string, inputs map[string]string) error {
	r, err := s.containerRunner(s.st.Uses)
	if err != nil {
		return err
	}
	ic := s.j.contexts(s.env)
	ic.Steps = s.sc.steps
	in := make(map[string]any, len(inputs))
	for k, v := range inputs {
		in[k] = v
	}
	ic.Inputs = in
	ca := ContainerAction{Entrypoint: action.Runs.Entrypoint}
	switch img := action.Runs.Image; {
	case strings.HasPrefix(img, "docker://"):
		ca.Image = strings.TrimPrefix(img, "docker://")
	case img == "":
		return fmt.Errorf("%s: runs.image is empty", action.File)
	default:
		ca.Dockerfile = filepath.Join(dir, filepath.FromSlash(img))
	}
	for _, a := range action.Runs.Args {
		v, err := ic.Interpolate(a)
		if err != nil {
			return fmt.Errorf("%s: runs.args: %w", action.File, err)
		}
		ca.Args = append(ca.Args, v)
	}
	extra := inputEnv(inputs)
	for k, v := range action.Runs.Env {
		val, err := ic.Interpolate(v)
		if err != nil {
			return fmt.Errorf("%s: runs.env.%s: %w", action.File, k, err)
		}
		extra[k] = val
	}
	prev := s.sc.actionPath
	s.sc.actionPath = dir
	defer func() { s.sc.actionPath = prev }()
	return s.execContainer(ctx, r, ca, extra)
}

// execContainer runs a container action with the step's environment and
// file commands, like exec does for processes.
func (s *stepRun) execContainer(ctx context.Context, r ContainerActionRunner, ca ContainerAction, extra map[string]string) error {
	j := s.j
	return s.withFileCommands(extra, func(env map[string]string, lw *LineWriter) (int, error) {
		ca.Env = environ(env)
		ca.Dir = j.env.Path(j.spec.Workspace)
		return r.RunContainerAction(ctx, ca, lw)
	})
}

// splitArgs splits with.args like a shell would for simple quoting.
func splitArgs(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return splitCommand(s, "")
}
