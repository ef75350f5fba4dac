package argocd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// DefaultSyncTimeout bounds a sync: waiting for another operation, the
// sync itself, and health when asked.
const DefaultSyncTimeout = 5 * time.Minute

// SyncConfig says what to sync and how.
type SyncConfig struct {
	App AppRef
	// Revision to sync to; "" is the application's target revision.
	Revision    string
	Prune       bool
	DryRun      bool
	Resources   []SyncOperationResource
	SyncOptions []string
	// Retries is how often Argo CD retries a failed sync (its
	// retryStrategy.limit); RetryBackoff the first pause between tries.
	Retries      int
	RetryBackoff time.Duration
	// Health waits for Healthy after the sync (not for dry runs).
	Health bool
	// Timeout bounds everything. Default DefaultSyncTimeout.
	Timeout time.Duration
	// Interval is the time between reads. Default DefaultPollInterval.
	Interval time.Duration
	Clock    Clock
}

// Sync asks Argo CD to sync the application and waits for the operation
// to end (and for health, when asked). When another operation is already
// in progress it waits for that one to end and asks again, until the
// timeout. A sync that ends other than Succeeded is an ErrFailed error
// quoting Argo CD's message.
func Sync(ctx context.Context, c *Client, cfg SyncConfig, log io.Writer) (*Result, error) {
	p := newPoller(c, cfg.App, cfg.Timeout, DefaultSyncTimeout, cfg.Interval, cfg.Clock, log)
	res := &Result{}
	err := syncOn(ctx, p, cfg, res)
	p.finish(res)
	return res, err
}

func syncOn(ctx context.Context, p *poller, cfg SyncConfig, res *Result) error {
	req := SyncRequest{Revision: cfg.Revision, Prune: cfg.Prune, DryRun: cfg.DryRun, Resources: cfg.Resources}
	if len(cfg.SyncOptions) > 0 {
		req.SyncOptions = &SyncOptions{Items: cfg.SyncOptions}
	}
	if cfg.Retries > 0 {
		backoff := cfg.RetryBackoff
		if backoff <= 0 {
			backoff = 5 * time.Second
		}
		req.RetryStrategy = &RetryStrategy{Limit: int64(cfg.Retries), Backoff: &Backoff{Duration: backoff.String(), Factor: 2, MaxDuration: "3m0s"}}
	}
	if err := requestSync(ctx, p, req, res); err != nil {
		return err
	}
	err := p.run(ctx, func(int) string { return "" }, func(a *Application) (bool, error) {
		return !InProgress(a), nil
	})
	if errors.Is(err, errPollTimeout) {
		return fmt.Errorf("%w after %s waiting for the sync of %s to end; last state: %s", ErrTimeout, p.clock.now().Sub(p.start).Round(time.Second), p.app, p.lastState())
	}
	if err != nil {
		return err
	}
	if err := p.settle(ctx); err != nil {
		return err
	}
	st := p.last.Status.OperationState
	if st == nil {
		return fmt.Errorf("%w: %s shows no operation state after the sync", ErrFailed, p.app)
	}
	if st.SyncResult != nil {
		res.Revision = st.SyncResult.Revision
	}
	if st.Phase != PhaseSucceeded {
		return fmt.Errorf("%w: the sync of %s ended %s: %q%s", ErrFailed, p.app, st.Phase, st.Message, failedResources(st))
	}
	if !cfg.Health || cfg.DryRun {
		return nil
	}
	return waitOn(ctx, p, WaitConfig{App: cfg.App, Revision: res.Revision, Health: true, FailOnDegraded: true, Interval: cfg.Interval}, &Result{})
}

// requestSync sends the sync request; while another operation is in
// progress it waits for it to end and asks again.
func requestSync(ctx context.Context, p *poller, req SyncRequest, res *Result) error {
	for {
		rctx, cancel := context.WithDeadline(ctx, p.deadline)
		a, err := p.client.Sync(rctx, p.app, req)
		cancel()
		res.Requests++
		switch {
		case err == nil:
			p.last = a
			p.logf("%s: sync requested%s", p.app, requestText(req))
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case !p.clock.now().Before(p.deadline):
			return fmt.Errorf("%w after %s asking to sync %s; last answer: %v", ErrTimeout, p.clock.now().Sub(p.start).Round(time.Second), p.app, err)
		case errors.Is(err, ErrInProgress):
			p.logf("%s: %v; waiting for that operation to end", p.app, err)
			werr := p.run(ctx, func(int) string { return "" }, func(a *Application) (bool, error) { return !InProgress(a), nil })
			if errors.Is(werr, errPollTimeout) {
				return fmt.Errorf("%w after %s: another operation on %s is still in progress (%s); end it with argocd app terminate-op or raise timeout", ErrTimeout, p.clock.now().Sub(p.start).Round(time.Second), p.app, p.lastState())
			}
			if werr != nil {
				return werr
			}
		case transient(err):
			p.logf("%s: %v (retrying)", p.app, err)
			if err := p.clock.sleep(ctx, min(p.interval, p.deadline.Sub(p.clock.now()))); err != nil {
				return err
			}
		default:
			return fmt.Errorf("syncing %s: %w", p.app, withHint(err))
		}
	}
}

func requestText(req SyncRequest) string {
	var parts []string
	if req.Revision != "" {
		parts = append(parts, "revision "+req.Revision)
	}
	if req.Prune {
		parts = append(parts, "prune")
	}
	if req.DryRun {
		parts = append(parts, "dry run")
	}
	for _, r := range req.Resources {
		parts = append(parts, "resource "+ResourceString(r))
	}
	if req.RetryStrategy != nil {
		parts = append(parts, fmt.Sprintf("%d retries", req.RetryStrategy.Limit))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// failedResources lists the resources a failed sync reports, for errors.
func failedResources(st *OperationState) string {
	if st.SyncResult == nil {
		return ""
	}
	var lines []string
	for _, r := range st.SyncResult.Resources {
		if r.Status != "" && r.Status != "Synced" {
			lines = append(lines, fmt.Sprintf("%s/%s: %s %s", r.Kind, r.Name, r.Status, r.Message))
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return "; " + strings.Join(lines, "; ")
}

// ParseResource reads GROUP:KIND:NAME or GROUP:KIND:NAMESPACE/NAME, the
// argocd CLI's --resource syntax (GROUP empty for the core group).
func ParseResource(s string) (SyncOperationResource, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
		return SyncOperationResource{}, fmt.Errorf("resource %q: write GROUP:KIND:NAME or GROUP:KIND:NAMESPACE/NAME, e.g. apps:Deployment:web or :Service:default/web", s)
	}
	r := SyncOperationResource{Group: parts[0], Kind: parts[1], Name: parts[2]}
	if ns, name, ok := strings.Cut(parts[2], "/"); ok {
		r.Namespace, r.Name = ns, name
	}
	return r, nil
}

// ResourceString writes r as ParseResource reads it.
func ResourceString(r SyncOperationResource) string {
	name := r.Name
	if r.Namespace != "" {
		name = r.Namespace + "/" + name
	}
	return r.Group + ":" + r.Kind + ":" + name
}
