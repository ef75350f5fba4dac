package cmd

import (
	"fmt"

	"github.com/spf13/pflag"

	"codeberg.org/anvil-ci/anvil/audit"
	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/pipeline/policy"
)

// governFlags are exec's --policy and --audit-log.
type governFlags struct {
	policy   string
	auditLog string
}

func (g *governFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&g.policy, "policy", "", "check every job against this policy file (or directory of them) before it runs; see docs/policy.md")
	fs.StringVar(&g.auditLog, "audit-log", "", "append one JSON audit record per job to this file")
}

// wire puts the policy and the audit log into cfg (whose Sink, Github,
// Secrets and Actions are set); the returned function closes the log.
func (g *governFlags) wire(proc Process, cfg *executor.Config) (func(), error) {
	if g.policy == "" && g.auditLog == "" {
		return func() {}, nil
	}
	task := policy.TaskFromGithub(cfg.Github, "")
	gate := &policy.Gate{Task: task}
	if c, ok := cfg.Actions.(policy.Committer); ok {
		gate.Commits = c
	}
	if g.policy != "" {
		p, err := policy.Load(g.policy)
		if err != nil {
			return nil, usageErrorf("--policy: %w", err)
		}
		gate.Policy = p
	}
	closeLog := func() {}
	if g.auditLog != "" {
		l, err := audit.Open(audit.Config{Path: g.auditLog})
		if err != nil {
			return nil, usageErrorf("--audit-log: %w", err)
		}
		closeLog = func() { l.Close() }
		masker := executor.NewMasker()
		for _, v := range cfg.Secrets {
			masker.Add(v)
		}
		base := audit.Base("exec", task)
		base.RunID, _ = cfg.Github["run_id"].(string)
		j := audit.NewJournal(l, audit.JournalConfig{Base: base, Mask: masker.Mask,
			OnError: func(err error) { fmt.Fprintf(proc.Stderr, "anvil: %v\n", err) }})
		gate.Record = j.Record
		cfg.Sink = executor.MultiSink{cfg.Sink, j}
	}
	cfg.Admit = gate.Admit
	return closeLog, nil
}
