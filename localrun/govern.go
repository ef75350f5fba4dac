package localrun

import (
	"fmt"
	"io"

	"codeberg.org/anvil-ci/anvil/audit"
	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/pipeline/policy"
)

// Govern are exec's --policy and --audit-log.
type Govern struct {
	// Policy is a policy file or a directory of them; "" checks nothing.
	Policy string
	// AuditLog is the file audit records are appended to; "" keeps none.
	AuditLog string
}

// Wire puts the policy and the audit log into cfg (whose Sink, Github,
// Secrets and Actions are set); the returned function closes the log.
// Audit errors go to stderr.
func (g Govern) Wire(cfg *executor.Config, stderr io.Writer) (func(), error) {
	if g.Policy == "" && g.AuditLog == "" {
		return func() {}, nil
	}
	task := policy.TaskFromGithub(cfg.Github, "")
	gate := &policy.Gate{Task: task}
	if c, ok := cfg.Actions.(policy.Committer); ok {
		gate.Commits = c
	}
	if g.Policy != "" {
		p, err := policy.Load(g.Policy)
		if err != nil {
			return nil, usageErrorf("--policy: %w", err)
		}
		gate.Policy = p
	}
	closeLog := func() {}
	if g.AuditLog != "" {
		l, err := audit.Open(audit.Config{Path: g.AuditLog})
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
			OnError: func(err error) { fmt.Fprintf(stderr, "anvil: %v\n", err) }})
		gate.Record = j.Record
		cfg.Sink = executor.MultiSink{cfg.Sink, j}
	}
	cfg.Admit = gate.Admit
	return closeLog, nil
}
