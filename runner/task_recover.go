package runner

import (
	"fmt"
	"runtime/debug"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"github.com/sirupsen/logrus"
)

// executeRecovered is execute with a panic turned into the failure of
// this task alone: a row in its log says so, the runner's log gets the
// stack, and the other tasks and the runner go on. (The engine already
// fails a job whose backend panics; this catches the rest: reading the
// workflow, the runtime and action hooks, starting the engine.)
func (r *Runner) executeRecovered(execute func() (runnerv1.Result, string), rep *reporter, log *logrus.Entry) (result runnerv1.Result, last string) {
	defer func() {
		if v := recover(); v != nil {
			what := rep.masker.Mask(fmt.Sprint(v))
			log.WithFields(logrus.Fields{"panic": what, "stack": string(debug.Stack())}).
				Error("the runner panicked while running a job; the job is reported as failed and the runner goes on")
			rep.Line("error", fmt.Sprintf("The runner failed while running this job (panic: %s), so the job failed; other jobs are not affected. This is a bug in anvil: please report it with the runner's log.", what))
			result, last = runnerv1.Result_RESULT_FAILURE, "Job failed"
		}
	}()
	return execute()
}

// survivePanic, deferred in a task's goroutine, keeps a panic outside
// the job (in reporting) from ending the runner: it is logged with its
// stack (the panic's type only: its value could hold a secret, and the
// task's masker is gone), and the forge fails the task when it hears
// nothing more of it.
func (r *Runner) survivePanic(task *runnerv1.Task) {
	if v := recover(); v != nil {
		r.log.WithFields(logrus.Fields{"task.id": task.GetId(), "panic": fmt.Sprintf("%T", v), "stack": string(debug.Stack())}).
			Error("the runner panicked while reporting a job; the forge will fail it")
	}
}
