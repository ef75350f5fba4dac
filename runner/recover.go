package runner

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
)

// restartLine is the row that ends the log of a task cut off by a restart.
const restartLine = "The runner was restarted while this job was running (it was killed or crashed), so the job did not finish; its log up to that moment is above. Run the job again."

// recoverTasks finishes reporting the tasks an earlier run of the runner
// left in the state directory: a task that was still running is reported
// as failed with a line that says why; a finished one is sent on. They
// are reported in the background and take no capacity.
func (r *Runner) recoverTasks() error {
	root := filepath.Join(r.cfg.StateDir, "tasks")
	entries, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		id, err := strconv.ParseInt(e.Name(), 10, 64)
		if err != nil || !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		st, err := loadState(dir)
		if err != nil || st.ID != id {
			r.log.WithError(err).WithField("task.id", id).Warn("cannot read what an earlier run left of a task; removing it")
			os.RemoveAll(dir)
			continue
		}
		log := r.logTask(st)
		rep, err := newReporter(reporterConfig{
			Forge: r.cfg.Forge, Dir: dir, State: *st, Log: log, Now: r.cfg.Now, Timing: r.cfg.Report,
			OnUnregistered: r.stopFatal,
		})
		if err != nil {
			log.WithError(err).Warn("cannot reopen an unfinished task's log")
			continue
		}
		os.RemoveAll(filepath.Join(r.workDir(), e.Name()))
		if st.Result == runnerv1.Result_RESULT_UNSPECIFIED {
			log.Warn("a job was running when the runner stopped; reporting it as failed")
			rep.Line("error", restartLine)
			rep.close(runnerv1.Result_RESULT_FAILURE, "Job failed")
		} else {
			log.Info("sending the rest of a finished job's report")
			rep.resume()
		}
		r.reports.Add(1)
		go func() {
			defer r.reports.Done()
			r.sendReport(rep)
		}()
	}
	return nil
}

// resume has the sender finish the report of a task that already has its
// result.
func (r *reporter) resume() {
	r.mu.Lock()
	r.closing, r.ended = true, true
	r.closeAt = max(r.rows-1, 0)
	r.dirty = true
	r.mu.Unlock()
	r.poke()
}
