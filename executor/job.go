package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"codeberg.org/anvil-ci/anvil/pipeline/expr"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// defaultJobTimeout is GitHub's default timeout-minutes for a job.
const defaultJobTimeout = 360 * time.Minute

// errJobTimeout and errStepTimeout are the causes of timeout cancellations.
var (
	errJobTimeout  = errors.New("job timed out")
	errStepTimeout = errors.New("step timed out")
)

// jobInstance is one run of one job (one matrix combination).
type jobInstance struct {
	w        *workflowRun
	job      *plan.Job
	matrix   map[string]any
	strategy map[string]any
	needs    map[string]expr.NeedResult
	key      string
	name     string

	env      Environment
	spec     JobSpec
	github   map[string]any
	jobEnv   map[string]string // workflow env, job env, GITHUB_ENV additions
	runtime  map[string]string // Config.Runtime.Env as the environment reaches it
	paths    []string          // GITHUB_PATH additions, newest first
	runner   map[string]any
	failed   bool // a step failed: success() is false from now on
	cancel   bool // the job was cancelled or timed out: cancelled() is true
	debug    bool
	summary  strings.Builder
	posts    []func(ctx context.Context) // post steps, run in reverse order
	result   *JobResult
	startAt  time.Time
	stepsCtx map[string]expr.StepResult
	actionN  int
	// jobContainer and jobServices fill job.container and job.services.
	jobContainer map[string]any
	jobServices  map[string]any
	// preState holds, by step index, the state the pre script of a remote
	// node action saved when the job started.
	preState map[int]map[string]string
}

func (j *jobInstance) engine() *Engine { return j.w.engine }

func (j *jobInstance) emit(ev Event) {
	ev.Workflow = j.w.wf.File
	ev.Job = j.key
	j.engine().emit(ev)
}

// logf writes a job-level line (Set up job / Complete job).
func (j *jobInstance) logf(level, format string, args ...any) {
	j.emit(Event{Kind: EventLog, Step: -1, Level: level, Line: fmt.Sprintf(format, args...)})
}

// skipCancelled reports a job that never started because the run or its
// matrix was cancelled.
func (j *jobInstance) skipCancelled(why string) *JobResult {
	if j.matrix != nil && j.job.Name == "" {
		j.name = j.job.ID + " " + plan.MatrixSuffix(j.matrix)
	}
	j.emit(Event{Kind: EventJobStart, JobName: j.name, Step: -1})
	j.logf("", "%s", why)
	j.emit(Event{Kind: EventJobEnd, JobName: j.name, Step: -1, Result: ResultCancelled})
	return &JobResult{Workflow: j.w.wf.File, JobID: j.job.ID, Job: j.key, Name: j.name, Result: ResultCancelled}
}

// contexts returns the expression contexts for the job's current state.
func (j *jobInstance) contexts(env map[string]string) *expr.Contexts {
	return &expr.Contexts{
		Github:    j.github,
		Env:       env,
		Vars:      j.engine().cfg.Vars,
		Secrets:   j.w.secrets,
		Inputs:    j.w.inputs,
		Job:       expr.JobContext{Status: j.status(), Container: j.jobContainer, Services: j.jobServices},
		Steps:     j.stepsCtx,
		Runner:    j.runner,
		Strategy:  j.strategy,
		Matrix:    j.matrix,
		Needs:     j.needs,
		Workspace: j.spec.Workspace,
		Status:    expr.Status{Failed: j.failed, Cancelled: j.cancel},
	}
}

func (j *jobInstance) status() string {
	switch {
	case j.cancel:
		return "cancelled"
	case j.failed:
		return "failure"
	}
	return "success"
}

// run runs the job and returns its result.
func (j *jobInstance) run(ctx context.Context) *JobResult {
	e := j.engine()
	j.startAt = e.cfg.Now()
	j.result = &JobResult{Workflow: j.w.wf.File, JobID: j.job.ID, Job: j.key, Name: j.name}
	j.stepsCtx = map[string]expr.StepResult{}
	// The display name may use matrix values.
	j.github = maps.Clone(e.cfg.Github)
	if j.github == nil {
		j.github = map[string]any{}
	}
	j.github["job"] = j.job.ID
	if j.job.Name != "" {
		if n, err := j.contexts(nil).Interpolate(j.job.Name); err == nil {
			j.name = n
		}
	} else if j.matrix != nil {
		j.name = j.job.ID + " " + plan.MatrixSuffix(j.matrix)
	}
	j.result.Name = j.name
	j.emit(Event{Kind: EventJobStart, JobName: j.name, Step: -1})
	j.w.logWarnings(j.key)
	result, msg := j.execute(ctx)
	j.result.Result = result
	if msg != "" {
		j.result.Error = e.masker.Mask(msg)
	}
	j.result.Duration = e.since(j.startAt)
	j.result.Summary = e.masker.Mask(j.summary.String())
	j.emit(Event{Kind: EventJobEnd, JobName: j.name, Step: -1, Result: result,
		Duration: j.result.Duration, Outputs: j.result.Outputs, Error: j.result.Error})
	return j.result
}

// execute prepares the environment, runs the steps and post steps, and
// tears everything down. A panic on the way fails the job (see recovered)
// once the environment is torn down.
func (j *jobInstance) execute(ctx context.Context) (result Result, msg string) {
	defer func() {
		if v := recover(); v != nil {
			result, msg = j.recovered(v)
		}
	}()
	e := j.engine()
	fail := func(format string, args ...any) (Result, string) {
		msg := fmt.Sprintf(format, args...)
		j.logf("error", "%s", msg)
		return ResultFailure, msg
	}
	if j.job.ContinueOnError != "" {
		v, err := j.contexts(nil).Interpolate(j.job.ContinueOnError)
		if err != nil {
			return fail("%s: continue-on-error: %v", posString(j.job.Pos), err)
		}
		j.result.ContinueOnError = isTrue(v)
	}
	runsOn := make([]string, 0, len(j.job.RunsOn))
	for _, l := range j.job.RunsOn {
		v, err := j.contexts(nil).Interpolate(l)
		if err != nil {
			return fail("%s: runs-on: %v", posString(j.job.Pos), err)
		}
		runsOn = append(runsOn, v)
	}
	backend, hints, err := e.cfg.Backends(runsOn)
	if errors.Is(err, ErrNoPlatform) {
		j.logf("warning", "%v", err)
		return ResultSkipped, ""
	}
	if err != nil {
		return fail("%s: job %q: %v", posString(j.job.Pos), j.job.ID, err)
	}
	timeout := defaultJobTimeout
	if j.job.TimeoutMinutes != "" {
		timeout, err = j.minutes(j.job.TimeoutMinutes, nil)
		if err != nil {
			return fail("%s: timeout-minutes: %v", posString(j.job.Pos), err)
		}
	}
	if err := j.admit(ctx, runsOn, timeout, hints); err != nil {
		return fail("%v", err)
	}
	if err := j.prepare(ctx, backend, hints); err != nil {
		return fail("setting up the job: %v", err)
	}
	defer j.teardown()

	jobCtx, cancelJob := context.WithTimeoutCause(ctx, timeout, errJobTimeout)
	defer cancelJob()
	j.runPreSteps(jobCtx)
	steps := j.job.Steps
	for _, st := range steps {
		if jobCtx.Err() != nil && !j.cancel {
			j.markCancelled(jobCtx, timeout)
		}
		runCtx := jobCtx
		if j.cancel {
			runCtx = j.afterCancelCtx()
		}
		sc := &scope{steps: j.stepsCtx, inputs: j.w.inputs, defaults: j.defaults(), index: st.Index}
		j.runStep(runCtx, sc, st)
	}
	if jobCtx.Err() != nil && !j.cancel {
		j.markCancelled(jobCtx, timeout)
	}
	for i := len(j.posts) - 1; i >= 0; i-- {
		runCtx := jobCtx
		if j.cancel {
			runCtx = j.afterCancelCtx()
		}
		j.posts[i](runCtx)
	}
	j.result.Outputs = j.evalOutputs()
	switch {
	case context.Cause(jobCtx) == errJobTimeout:
		return ResultFailure, fmt.Sprintf("The job has exceeded the maximum execution time of %s", timeout)
	case j.cancel:
		return ResultCancelled, ""
	case j.failed:
		return ResultFailure, ""
	}
	return ResultSuccess, ""
}

// markCancelled records that the job was cancelled or timed out.
func (j *jobInstance) markCancelled(ctx context.Context, timeout time.Duration) {
	j.cancel = true
	if context.Cause(ctx) == errJobTimeout {
		j.logf("error", "The job has exceeded the maximum execution time of %s", timeout)
		j.failed = true
		return
	}
	j.logf("", "The job was cancelled: %v", context.Cause(ctx))
}

// afterCancelCtx is the context for steps that run after a cancellation:
// only Engine.Kill stops them.
func (j *jobInstance) afterCancelCtx() context.Context {
	return j.engine().kill
}

// defaults gives defaults.run with the job's over the workflow's.
func (j *jobInstance) defaults() plan.RunDefaults {
	d := j.w.wf.Defaults
	if j.job.Defaults.Shell != "" {
		d.Shell = j.job.Defaults.Shell
	}
	if j.job.Defaults.WorkingDirectory != "" {
		d.WorkingDirectory = j.job.Defaults.WorkingDirectory
	}
	return d
}

var unsafeName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9_.-]+`) })

// prepare creates the job directories and environment and the job env.
func (j *jobInstance) prepare(ctx context.Context, backend Backend, hints JobSpecHints) error {
	e := j.engine()
	base := e.cfg.WorkDir
	if base == "" {
		base = os.TempDir()
	}
	id := fmt.Sprintf("%s-%d", strings.Trim(unsafeName().ReplaceAllString(j.key, "_"), "_"), e.seq.Add(1))
	root := filepath.Join(base, id)
	repo := githubString(j.github, "repository")
	repoName := filepath.Base(repo)
	if repoName == "" || repoName == "." || repoName == "/" {
		repoName = "workspace"
	}
	j.spec = JobSpec{
		JobID:      id,
		Repository: repo,
		Root:       root,
		Workspace:  filepath.Join(root, "work", repoName, repoName),
		Temp:       filepath.Join(root, "temp"),
		Image:      hints.Image,
		Labels:     map[string]string{"anvil.job": id},
		BinDir:     filepath.Join(root, "bin"),
		SelfBinary: e.cfg.SelfBinary,
	}
	if err := j.containerSpecs(hints); err != nil {
		return err
	}
	if err := os.MkdirAll(root, 0o700); err != nil { // it holds the job's secrets
		return fmt.Errorf("creating %s: %w (check that --workdir is writable)", root, err)
	}
	markTopDir(root)
	for _, d := range []string{j.spec.Workspace, j.spec.Temp, filepath.Join(root, "tool_cache"), filepath.Join(root, "files")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("creating %s: %w (check that --workdir is writable)", d, err)
		}
	}
	env, err := backend.Prepare(ctx, j.spec)
	if err != nil {
		return err
	}
	j.env = env
	addr := ""
	if h, ok := env.(HostAddresser); ok {
		addr = h.HostAddress()
	}
	j.runtime = runtimeEnv(e.cfg.Runtime.Env, addr)
	if p, ok := env.(JobContextProvider); ok {
		j.jobContainer, j.jobServices = p.JobContext()
	}
	ws := env.Path(j.spec.Workspace)
	j.github["workspace"] = ws
	if tok, ok := j.w.secrets["GITHUB_TOKEN"]; ok {
		j.github["token"] = tok
	}
	j.debug = e.cfg.StepDebug || isTrue(j.w.secrets["ACTIONS_STEP_DEBUG"]) || isTrue(e.cfg.Vars["ACTIONS_STEP_DEBUG"])
	j.runner = map[string]any{
		"os": runnerOS(), "arch": runnerArch(), "name": e.cfg.RunnerName,
		"temp": env.Path(j.spec.Temp), "tool_cache": env.Path(filepath.Join(root, "tool_cache")),
		"workspace": env.Path(filepath.Dir(j.spec.Workspace)), "environment": "self-hosted",
	}
	if j.debug {
		j.runner["debug"] = "1"
	}
	event, _ := json.Marshal(j.github["event"])
	if string(event) == "null" {
		event = []byte("{}")
	}
	if err := os.WriteFile(filepath.Join(root, "files", "event.json"), event, 0o600); err != nil {
		return fmt.Errorf("writing the event payload: %w", err)
	}
	// Workflow env, then job env; each may use the contexts known so far.
	j.jobEnv = map[string]string{}
	for _, m := range []map[string]string{j.w.wf.Env, e.cfg.Env, j.job.Env} {
		for k, v := range m {
			val, err := j.contexts(j.jobEnv).Interpolate(v)
			if err != nil {
				return fmt.Errorf("env %s: %w", k, err)
			}
			j.jobEnv[k] = val
		}
	}
	j.logf("", "Runner: %s (%s %s), workspace %s", e.cfg.RunnerName, runnerOS(), runnerArch(), ws)
	return nil
}

// teardown closes the environment on a context of its own.
func (j *jobInstance) teardown() {
	if j.env == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := j.env.Close(ctx); err != nil {
		j.logf("warning", "cleaning up the job environment: %v", err)
	}
}

// minutes evaluates a timeout-minutes value (fractions allowed).
func (j *jobInstance) minutes(v string, env map[string]string) (time.Duration, error) {
	s, err := j.contexts(env).Interpolate(v)
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f <= 0 {
		return 0, fmt.Errorf("must be a positive number of minutes, got %q", s)
	}
	return time.Duration(f * float64(time.Minute)), nil
}

// evalOutputs evaluates the job's outputs. Like GitHub, an output that
// contains a secret is dropped with a warning.
func (j *jobInstance) evalOutputs() map[string]string {
	if len(j.job.Outputs) == 0 {
		return nil
	}
	out := map[string]string{}
	c := j.contexts(j.jobEnv)
	for k, v := range j.job.Outputs {
		val, err := c.Interpolate(v)
		if err != nil {
			j.logf("warning", "output %s: %v", k, err)
			j.failed = true
			continue
		}
		if j.engine().masker.Mask(val) != val {
			j.logf("warning", "Skip output '%s' since it may contain secret.", k)
			continue
		}
		out[k] = val
	}
	return out
}

// containerSpecs evaluates the job's container: and services: into the job
// spec; a docker:// label's image is the default job container.
func (j *jobInstance) containerSpecs(hints JobSpecHints) error {
	c := j.contexts(nil)
	eval := func(what string, in *plan.Container) (*ContainerSpec, error) {
		out := &ContainerSpec{Env: map[string]string{}, Credentials: map[string]string{}}
		var err error
		field := func(name, v string) string {
			if err != nil {
				return ""
			}
			var r string
			if r, err = c.Interpolate(v); err != nil {
				err = fmt.Errorf("%s.%s: %w", what, name, err)
			}
			return r
		}
		out.Image = field("image", in.Image)
		out.Options = field("options", in.Options)
		for k, v := range in.Env {
			out.Env[k] = field("env."+k, v)
		}
		for k, v := range in.Credentials {
			out.Credentials[k] = field("credentials."+k, v)
		}
		for _, p := range in.Ports {
			out.Ports = append(out.Ports, field("ports", p))
		}
		for _, v := range in.Volumes {
			out.Volumes = append(out.Volumes, field("volumes", v))
		}
		for _, a := range in.Cmd {
			out.Cmd = append(out.Cmd, field("cmd", a))
		}
		return out, err
	}
	if j.job.Container != nil {
		spec, err := eval("container", j.job.Container)
		if err != nil {
			return err
		}
		if spec.Image != "" {
			j.spec.Container = spec
		}
	}
	if j.spec.Container == nil && hints.Image != "" {
		j.spec.Container = &ContainerSpec{Image: hints.Image}
	}
	for id, svc := range j.job.Services {
		spec, err := eval("services."+id, svc)
		if err != nil {
			return err
		}
		if j.spec.Services == nil {
			j.spec.Services = map[string]*ContainerSpec{}
		}
		j.spec.Services[id] = spec
	}
	return nil
}
