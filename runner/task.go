package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"github.com/sirupsen/logrus"
	"google.golang.org/protobuf/types/known/timestamppb"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/pipeline"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// runTask runs one task as an engine run and has it reported. ended is
// called once the job has ended (its capacity slot is free again). It
// returns the task's reporter, or nil when the task could not even be
// reported.
func (r *Runner) runTask(task *runnerv1.Task, received time.Time, ended func()) *reporter {
	defer ended()
	start := r.cfg.Now()
	github := task.GetContext().AsMap()
	st := taskState{ID: task.GetId(), Repo: str(github["repository"]), Job: str(github["job"]), StartedAt: start}
	log := r.logTask(&st)
	masker := executor.NewMasker()
	for _, v := range task.GetSecrets() {
		masker.Add(v)
	}
	ctx, cancel := context.WithCancelCause(r.hard)
	defer cancel(nil)
	rep, err := newReporter(reporterConfig{
		Forge: r.cfg.Forge, Dir: taskDir(r.cfg.StateDir, st.ID), State: st, Log: log, Now: r.cfg.Now,
		Masker: masker, Timing: r.cfg.Report,
		OnCancel: func(res runnerv1.Result) {
			log.WithField("result", resultName(res)).Info("the forge ended the task; cancelling the job")
			cancel(errCancelledOnForge{result: res})
		},
		OnUnregistered: func(err error) {
			r.stopFatal(err)
			cancel(err)
		},
	})
	if err != nil {
		log.WithError(err).Error("cannot keep the task's log on disk; the job is not run")
		r.failUnspooled(st.ID, err, log)
		return nil
	}
	r.reports.Add(1)
	go func() {
		defer r.reports.Done()
		r.sendReport(rep)
	}()
	log.Info("running a job")

	workDir := filepath.Join(r.workDir(), strconv.FormatInt(task.GetId(), 10))
	job := jobRun{received: received}
	result, last := r.executeRecovered(func() (runnerv1.Result, string) {
		return r.execute(ctx, task, github, workDir, rep, log, &job)
	}, rep, log)
	rep.close(result, last)
	if job.label != "" {
		r.cfg.Observer.JobFinished(job.label, resultName(result), r.cfg.Now().Sub(job.started))
	}
	// Removed once the report is on its way, which it does not wait for.
	if err := os.RemoveAll(workDir); err != nil {
		log.WithError(err).Warn("cannot remove the job's directory")
	}
	log.WithFields(logrus.Fields{"result": resultName(result), "duration": r.cfg.Now().Sub(start).Round(time.Millisecond)}).
		Info("job finished")
	return rep
}

// jobRun is what the Observer is told about a job: when the forge handed
// its task out, when it started, and the label it runs on ("" until it
// starts).
type jobRun struct {
	received, started time.Time
	label             string
}

// failUnspooled reports a task whose spool cannot be created: one row
// saying why, and the result failed. It is best effort: without a spool
// nothing is retried after a restart.
func (r *Runner) failUnspooled(id int64, cause error, log *logrus.Entry) {
	ctx, cancel := context.WithTimeout(r.reportCtx, r.cfg.FetchTimeout*2)
	defer cancel()
	now := r.cfg.Now()
	row := &runnerv1.LogRow{Time: timestamppb.New(now), Content: fmt.Sprintf(
		"##[error]The runner cannot write this job's log to its state directory (%v), so the job was not run. Free disk space or fix runner.state_dir, then run it again.", cause)}
	if _, err := r.cfg.Forge.UpdateLog(ctx, id, 0, []*runnerv1.LogRow{row}, true); err != nil {
		log.WithError(err).Warn("cannot send the reason the job was not run")
	}
	state := &runnerv1.TaskState{Id: id, Result: runnerv1.Result_RESULT_FAILURE, StartedAt: timestamppb.New(now), StoppedAt: timestamppb.New(now)}
	if _, err := r.cfg.Forge.UpdateTask(ctx, state, nil); err != nil {
		log.WithError(err).Warn("cannot report the job as failed; the forge fails it after its zombie timeout")
	}
}

// execute reads the task's workflow and runs its job, returning the
// result to report and the last log row. Problems found in the workflow
// are the engine's to report (errors fail the job before its first step).
func (r *Runner) execute(ctx context.Context, task *runnerv1.Task, github map[string]any, workDir string, rep *reporter, log *logrus.Entry, job *jobRun) (runnerv1.Result, string) {
	fail := func(msg string) (runnerv1.Result, string) {
		rep.Line("error", msg)
		return runnerv1.Result_RESULT_FAILURE, "Job failed"
	}
	file := str(github["workflow"])
	if file == "" {
		file = "workflow.yml"
	}
	wf := taskWorkflow(file, task, str(github["job"]), r.cfg.Containers)
	if len(wf.Problems) > 0 {
		errs := 0
		for _, p := range wf.Problems {
			if p.IsError() {
				errs++
			}
		}
		log.WithFields(logrus.Fields{"errors": errs, "warnings": len(wf.Problems) - errs}).
			Info("the task's workflow has problems; they are in the job's log")
	}
	rep.setJob(wf.File, len(wf.Jobs[0].Steps))
	job.label, job.started = jobLabel(wf.Jobs[0].RunsOn, r.cfg.Labels), r.cfg.Now()
	r.cfg.Observer.JobStarted(job.label, job.started.Sub(job.received))

	if err := os.MkdirAll(workDir, 0o755); err != nil {
		return fail(fmt.Sprintf("Cannot create the job's directory: %v (check host.workdir_parent)", err))
	}
	cfg := executor.Config{
		Loader:      pipeline.Loader{},
		Backends:    r.backendFor,
		Sink:        rep,
		WorkDir:     workDir,
		Github:      github,
		Secrets:     task.GetSecrets(),
		Vars:        task.GetVars(),
		Env:         r.cfg.Env,
		Inputs:      dispatchInputs(github),
		BaseEnv:     r.cfg.BaseEnv,
		RunnerName:  r.cfg.Name,
		SelfBinary:  r.cfg.SelfBinary,
		Needs:       needsOf(task),
		WorkflowRef: workflowRef(github),
		Grace:       r.cfg.Grace,
		Now:         r.cfg.Now,
	}
	if r.cfg.Runtime != nil {
		rt, err := r.cfg.Runtime(github)
		if err != nil {
			return fail(fmt.Sprintf("Cannot give the job its cache and artifact services: %s", rep.masker.Mask(err.Error())))
		}
		cfg.Runtime = rt
	}
	if r.cfg.Actions != nil {
		actions, err := r.cfg.Actions(github, log)
		if err != nil {
			return fail(fmt.Sprintf("Cannot set up remote actions: %s", rep.masker.Mask(err.Error())))
		}
		cfg.Actions = actions
	}
	r.govern(&cfg, task, wf.File, rep.masker, log)
	runCtx, stop := context.WithTimeoutCause(ctx, r.cfg.Timeout, errTimeout)
	defer stop()
	engine := executor.New(cfg)
	pl := &plan.Plan{Event: str(github["event_name"]), Workflows: []*plan.Workflow{wf}}
	res, err := engine.Run(runCtx, pl)
	if err != nil {
		return fail(fmt.Sprintf("The job could not run: %s", engine.Masker().Mask(err.Error())))
	}
	result := taskResult(res, wf.File)
	var onForge errCancelledOnForge
	switch cause := context.Cause(runCtx); {
	case cause == nil:
	case errors.Is(cause, errTimeout):
		rep.Line("error", fmt.Sprintf("The job has exceeded the runner's maximum execution time of %s (runner.timeout in the runner's configuration), so it was cancelled; it is reported as failed.", r.cfg.Timeout))
		result = runnerv1.Result_RESULT_FAILURE
	case errors.As(cause, &onForge):
		rep.Line("", "The job was cancelled on the forge.")
		result = runnerv1.Result_RESULT_CANCELLED
	case errors.Is(cause, ErrShutdown):
		rep.Line("", "The runner is shutting down, so the job was cancelled.")
		result = runnerv1.Result_RESULT_CANCELLED
	}
	return result, "Job " + resultWord(result)
}

// workDir is the parent of the tasks' directories.
func (r *Runner) workDir() string {
	if r.cfg.WorkDir != "" {
		return r.cfg.WorkDir
	}
	return filepath.Join(os.TempDir(), "anvil-tasks")
}

// str returns v when it is a string, else "".
func str(v any) string {
	s, _ := v.(string)
	return s
}

// needsOf converts the task's needs for the engine.
func needsOf(task *runnerv1.Task) map[string]executor.NeedResult {
	if len(task.GetNeeds()) == 0 {
		return nil
	}
	out := make(map[string]executor.NeedResult, len(task.GetNeeds()))
	for id, n := range task.GetNeeds() {
		out[id] = executor.NeedResult{Result: needResultOf(n.GetResult()), Outputs: n.GetOutputs()}
	}
	return out
}

// taskResult is the result of the task's own job: the jobs of a workflow
// it calls are part of it, and a matrix combination is one job. The
// worst wins: failure, cancelled, success, then skipped.
func taskResult(res *executor.RunResult, file string) runnerv1.Result {
	rank := map[executor.Result]int{executor.ResultSkipped: 1, executor.ResultSuccess: 2, executor.ResultCancelled: 3, executor.ResultFailure: 4}
	var worst executor.Result
	for _, j := range res.Jobs {
		if j.Workflow == file && rank[j.Result] > rank[worst] {
			worst = j.Result
		}
	}
	if worst == "" {
		return runnerv1.Result_RESULT_FAILURE
	}
	return resultOf(worst)
}

// workflowRef names where a local reusable workflow of the task comes
// from: the task's repository at the task's commit on the forge, fetched
// over its git HTTP (with the job token, which the resolver sends to the
// forge only). Nil when the context does not say.
func workflowRef(github map[string]any) func(path string) string {
	server := strings.TrimSuffix(str(github["server_url"]), "/")
	repo, sha := str(github["repository"]), str(github["sha"])
	if server == "" || repo == "" || sha == "" {
		return nil
	}
	return func(path string) string {
		return server + "/" + repo + "/" + path + "@" + sha
	}
}

// dispatchInputs returns the workflow_dispatch inputs of the event.
func dispatchInputs(github map[string]any) map[string]any {
	event, _ := github["event"].(map[string]any)
	inputs, _ := event["inputs"].(map[string]any)
	return inputs
}
