package runner

import (
	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/audit"
	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/pipeline/policy"
)

// govern puts the runner's policy and audit log into a task's engine
// config: the policy decides before each job (Config.Admit), with the
// commits of its actions resolved by the task's resolver, and the task's
// journal writes one audit record per job from the engine's events. It
// changes nothing when the runner has neither.
func (r *Runner) govern(cfg *executor.Config, task *runnerv1.Task, file string, masker *executor.Masker, log *logrus.Entry) {
	if r.cfg.Policy == nil && r.cfg.Audit == nil {
		return
	}
	t := policy.TaskFromGithub(cfg.Github, file)
	gate := &policy.Gate{Policy: r.cfg.Policy, Task: t}
	if c, ok := cfg.Actions.(policy.Committer); ok {
		gate.Commits = c
	}
	if r.cfg.Audit != nil {
		base := audit.Base("daemon", t)
		base.Runner, base.TaskID, base.RunID = r.cfg.Name, task.GetId(), str(cfg.Github["run_id"])
		j := audit.NewJournal(r.cfg.Audit, audit.JournalConfig{Base: base, Mask: masker.Mask, Now: r.cfg.Now,
			OnError: func(err error) { log.WithError(err).Error("cannot write the job's audit record") }})
		gate.Record = j.Record
		cfg.Sink = executor.MultiSink{cfg.Sink, j}
	}
	cfg.Admit = gate.Admit
}
