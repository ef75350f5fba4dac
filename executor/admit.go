package executor

import (
	"context"
	"errors"
	"maps"
	"strconv"
	"time"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// AdmitFunc decides whether a job may start (a policy). It gets the
// job's workflow, a copy of the job with its name, runs-on, container,
// services and timeout-minutes evaluated (registry credentials reduced to
// their keys), and the job's key as events name it. Error problems deny
// the job: it fails before anything of it runs (no container, no step),
// with each problem's message in its log. Warnings are logged the same
// way and the job runs. Parallel jobs call it concurrently.
type AdmitFunc func(ctx context.Context, wf *plan.Workflow, job *plan.Job, key string) []plan.Problem

// errDenied is the failure of a job its Admit hook denied.
var errDenied = errors.New("the policy denied this job (see above), so none of its steps ran")

// admit asks the engine's Admit hook about the job before it is
// prepared, and logs what it says; the error is errDenied.
func (j *jobInstance) admit(ctx context.Context, runsOn []string, timeout time.Duration, hints JobSpecHints) error {
	hook := j.engine().cfg.Admit
	if hook == nil {
		return nil
	}
	job := *j.job
	job.Name, job.RunsOn = j.name, runsOn
	job.TimeoutMinutes = strconv.FormatFloat(timeout.Minutes(), 'f', -1, 64)
	// Evaluated here as prepare will; on an error prepare fails the job,
	// so the policy sees the containers as written.
	if err := j.containerSpecs(hints); err == nil {
		job.Container = planContainer(j.spec.Container)
		job.Services = nil
		for id, s := range j.spec.Services {
			if job.Services == nil {
				job.Services = map[string]*plan.Container{}
			}
			job.Services[id] = planContainer(s)
		}
	}
	j.spec.Container, j.spec.Services = nil, nil
	return j.w.logAdmission(j.key, hook(ctx, j.w.wf, &job, j.key))
}

// admitCall asks the Admit hook about a job that calls a reusable
// workflow, before the workflow is fetched.
func (j *jobInstance) admitCall(ctx context.Context) error {
	hook := j.engine().cfg.Admit
	if hook == nil {
		return nil
	}
	job := *j.job
	job.Name = j.name
	return j.w.logAdmission(j.key, hook(ctx, j.w.wf, &job, j.key))
}

// logAdmission writes the hook's problems into the log of the job with
// key and returns errDenied when one of them is an error.
func (w *workflowRun) logAdmission(key string, probs []plan.Problem) error {
	var err error
	for _, p := range probs {
		w.engine.emit(Event{Kind: EventLog, Workflow: w.wf.File, Job: key, Step: -1, Level: problemLevel(p), Line: p.Message})
		if p.IsError() {
			err = errDenied
		}
	}
	return err
}

// planContainer converts an evaluated container back to plan form for
// the Admit hook, with credentials reduced to their keys.
func planContainer(s *ContainerSpec) *plan.Container {
	if s == nil {
		return nil
	}
	c := &plan.Container{Image: s.Image, Options: s.Options, Env: maps.Clone(s.Env),
		Ports: s.Ports, Volumes: s.Volumes, Cmd: s.Cmd}
	for k := range s.Credentials {
		if c.Credentials == nil {
			c.Credentials = map[string]string{}
		}
		c.Credentials[k] = ""
	}
	return c
}
