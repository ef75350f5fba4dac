package argocd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Default bounds of a wait.
const (
	DefaultWaitTimeout  = 10 * time.Minute
	DefaultPollInterval = 2 * time.Second
	// refreshEvery is how many polls apart a wait for a revision asks
	// Argo CD to look at git again.
	refreshEvery = 5
)

// WaitConfig says what to wait for.
type WaitConfig struct {
	App AppRef
	// Revision is the commit the application must reach (a SHA or a
	// prefix of at least 7 digits), e.g. gitops-promote's commit output.
	Revision string
	// Sync waits for Synced, Health for Healthy.
	Sync   bool
	Health bool
	// FailOnDegraded ends the wait when the application is Degraded at the
	// wanted revision (seen twice in a row), instead of waiting for the
	// timeout.
	FailOnDegraded bool
	// Timeout bounds the wait. Default DefaultWaitTimeout.
	Timeout time.Duration
	// Interval is the time between reads. Default DefaultPollInterval.
	Interval time.Duration
	Clock    Clock
}

// Result is where a sync or wait left the application.
type Result struct {
	// App is the last state read (nil if none was).
	App *Application
	// Revision is the revision synced (sync) or reached (wait).
	Revision string
	Elapsed  time.Duration
	// Requests is how many sync requests were sent (sync only).
	Requests int
}

// SyncStatus, HealthStatus and Phase read the last state ("" if none).
func (r *Result) SyncStatus() string {
	if r.App == nil {
		return ""
	}
	return r.App.Status.Sync.Status
}

func (r *Result) HealthStatus() string {
	if r.App == nil {
		return ""
	}
	return r.App.Status.Health.Status
}

func (r *Result) Phase() string {
	if r.App == nil {
		return ""
	}
	return phase(r.App)
}

// Message is the last operation's message.
func (r *Result) Message() string {
	if r.App == nil || r.App.Status.OperationState == nil {
		return ""
	}
	return r.App.Status.OperationState.Message
}

// Wait waits until the application's operation is over and it is at the
// wanted revision, Synced and Healthy as cfg asks, logging each new state
// to log. The current state is checked first, so an application already
// there returns at once. A 401 ends the wait at once; transient errors are
// retried until the timeout.
func Wait(ctx context.Context, c *Client, cfg WaitConfig, log io.Writer) (*Result, error) {
	p := newPoller(c, cfg.App, cfg.Timeout, DefaultWaitTimeout, cfg.Interval, cfg.Clock, log)
	res := &Result{}
	err := waitOn(ctx, p, cfg, res)
	p.finish(res)
	if res.Revision == "" && p.last != nil {
		res.Revision = strings.Join(Revisions(p.last), ",")
	}
	return res, err
}

// waitOn runs the wait on p.
func waitOn(ctx context.Context, p *poller, cfg WaitConfig, res *Result) error {
	degradedSeen := 0
	refresh := func(poll int) string {
		if poll == 0 || (cfg.Revision != "" && (p.last == nil || !AtRevision(p.last, cfg.Revision)) && poll%refreshEvery == 0) {
			return "normal"
		}
		return ""
	}
	err := p.run(ctx, refresh, func(a *Application) (bool, error) {
		if InProgress(a) {
			degradedSeen = 0
			return false, nil
		}
		atRev := cfg.Revision == "" || AtRevision(a, cfg.Revision)
		synced := !cfg.Sync || a.Status.Sync.Status == SyncSynced
		healthy := !cfg.Health || a.Status.Health.Status == HealthHealthy
		if atRev && synced && healthy {
			return true, nil
		}
		if !atRev {
			return false, nil
		}
		if st := a.Status.OperationState; cfg.Revision != "" && st != nil && (st.Phase == PhaseFailed || st.Phase == PhaseError) &&
			st.SyncResult != nil && SameRevision(st.SyncResult.Revision, cfg.Revision) {
			return false, fmt.Errorf("%w: the sync of %s to %s ended %s: %q", ErrFailed, p.app, ShortRevision(cfg.Revision), st.Phase, st.Message)
		}
		if cfg.FailOnDegraded && a.Status.Health.Status == HealthDegraded {
			degradedSeen++
			if degradedSeen >= 2 {
				return false, fmt.Errorf("%w: %s is Degraded%s: %q", ErrFailed, p.app, atRevisionText(cfg.Revision), a.Status.Health.Message)
			}
			return false, nil
		}
		degradedSeen = 0
		return false, nil
	})
	if errors.Is(err, errPollTimeout) {
		return fmt.Errorf("%w after %s waiting for %s to be %s; last state: %s%s", ErrTimeout, p.clock.now().Sub(p.start).Round(time.Second), p.app, wantText(cfg), p.lastState(), timeoutHint(p.last, cfg))
	}
	return err
}

// timeoutHint says why a wait may never end, or "".
func timeoutHint(a *Application, cfg WaitConfig) string {
	if a == nil {
		return ""
	}
	manual := a.Spec.SyncPolicy == nil || a.Spec.SyncPolicy.Automated == nil ||
		(a.Spec.SyncPolicy.Automated.Enabled != nil && !*a.Spec.SyncPolicy.Automated.Enabled)
	switch {
	case cfg.Revision != "" && !AtRevision(a, cfg.Revision):
		return "; Argo CD has not seen the revision: check that it is on the branch the application follows (" + targetRevision(a) + ")"
	case manual && a.Status.Sync.Status == SyncOutOfSync:
		return "; the application does not sync automatically: sync it first (argocd-sync)"
	}
	return ""
}

func targetRevision(a *Application) string {
	if a.Spec.Source != nil && a.Spec.Source.TargetRevision != "" {
		return a.Spec.Source.TargetRevision
	}
	return "HEAD"
}

func atRevisionText(rev string) string {
	if rev == "" {
		return ""
	}
	return " at revision " + ShortRevision(rev)
}

// wantText says what a wait waits for.
func wantText(cfg WaitConfig) string {
	var parts []string
	if cfg.Revision != "" {
		parts = append(parts, "at revision "+ShortRevision(cfg.Revision))
	}
	if cfg.Sync {
		parts = append(parts, SyncSynced)
	}
	if cfg.Health {
		parts = append(parts, HealthHealthy)
	}
	if len(parts) == 0 {
		return "done with its operation"
	}
	return strings.Join(parts, ", ")
}
