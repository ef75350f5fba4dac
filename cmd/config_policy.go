package cmd

import (
	"fmt"
	"strings"

	"github.com/docker/go-units"
	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/audit"
	"codeberg.org/anvil-ci/anvil/pipeline/policy"
	"codeberg.org/anvil-ci/anvil/runner"
)

// policyConfig is the daemon's policy: section (Anvil's own).
type policyConfig struct {
	// File is a policy file, or a directory of them; empty: no policy.
	File string `yaml:"file"`
}

// auditConfig is the daemon's audit: section (Anvil's own).
type auditConfig struct {
	// File is the audit log; empty: none.
	File string `yaml:"file"`
	// MaxSize rotates the file at this size (100m); "0": never.
	MaxSize string `yaml:"max_size"`
	// Syslog forwards records: local, udp://host:port, tcp://host:port,
	// unix:///dev/log; empty: no forwarding.
	Syslog string `yaml:"syslog"`
}

// maxBytes parses audit.max_size.
func (a auditConfig) maxBytes() (int64, error) {
	s := strings.TrimSpace(a.MaxSize)
	if s == "" || s == "0" {
		return 0, nil
	}
	n, err := units.RAMInBytes(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("audit.max_size %q: write a size such as 100m or 1g, or 0 to never rotate", a.MaxSize)
	}
	return n, nil
}

// check reports values of the policy and audit sections that cannot
// work, and compiles the policy so that a bad rule stops the daemon at
// start.
func (c daemonConfig) checkGovernance() []string {
	var probs []string
	if _, err := c.Audit.maxBytes(); err != nil {
		probs = append(probs, err.Error())
	}
	if c.Policy.File != "" {
		if _, err := policy.Load(c.Policy.File); err != nil {
			probs = append(probs, fmt.Sprintf("policy.file: %v", err))
		}
	}
	return probs
}

// governDaemon loads the policy and opens the audit log the config names
// into rc; the returned function closes the log.
func governDaemon(cfg daemonConfig, rc *runner.Config, log *logrus.Logger) (func(), error) {
	if cfg.Policy.File != "" {
		p, err := policy.Load(cfg.Policy.File)
		if err != nil {
			return nil, usageErrorf("policy.file: %w", err)
		}
		rc.Policy = p
		log.WithFields(logrus.Fields{"policy": cfg.Policy.File, "rules": len(p.Rules())}).Info("checking every job against the policy")
	}
	if cfg.Audit.File == "" {
		return func() {}, nil
	}
	max, err := cfg.Audit.maxBytes()
	if err != nil {
		return nil, usageError(err)
	}
	l, err := audit.Open(audit.Config{Path: cfg.Audit.File, MaxSize: max, Syslog: cfg.Audit.Syslog})
	if err != nil {
		return nil, fmt.Errorf("audit.file: %w", err)
	}
	rc.Audit = l
	return func() { l.Close() }, nil
}
