package argocd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/step"
)

// Clock is the time a sync or wait runs on; the zero value is real time.
type Clock struct {
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

func (c Clock) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c Clock) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	return step.Sleep(ctx, d)
}

// poller reads an application until check says it is done, logging each
// new state. Transient errors are ridden out; a 401 (and any other answer)
// ends it at once.
type poller struct {
	client   *Client
	app      AppRef
	interval time.Duration
	deadline time.Time
	clock    Clock
	log      io.Writer
	start    time.Time

	last     *Application
	lastLine string
	lastErr  string
	polls    int
}

// newPoller returns a poller of app starting now, with timeout (or def
// when not positive) and interval (or DefaultPollInterval).
func newPoller(c *Client, app AppRef, timeout, def, interval time.Duration, clock Clock, log io.Writer) *poller {
	if timeout <= 0 {
		timeout = def
	}
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	start := clock.now()
	return &poller{client: c, app: app, interval: interval, deadline: start.Add(timeout), clock: clock, log: log, start: start}
}

// finish records the last application read and the time taken in res.
func (p *poller) finish(res *Result) {
	res.App = p.last
	res.Elapsed = p.clock.now().Sub(p.start)
}

// errPollTimeout ends a poll at its deadline.
var errPollTimeout = errors.New("poll deadline")

// run polls until check returns done or an error. refresh gives the
// refresh parameter of each read (by poll number, from 0).
func (p *poller) run(ctx context.Context, refresh func(poll int) string, check func(a *Application) (bool, error)) error {
	for {
		if !p.clock.now().Before(p.deadline) {
			return errPollTimeout
		}
		rctx, cancel := context.WithDeadline(ctx, p.deadline)
		a, err := p.client.Application(rctx, p.app, refresh(p.polls))
		cancel()
		p.polls++
		switch {
		case err == nil:
			p.last = a
			p.lastErr = ""
			if line := describe(a); line != p.lastLine {
				p.lastLine = line
				p.logf("%s: %s", p.app, line)
			}
			done, cerr := check(a)
			if cerr != nil || done {
				return cerr
			}
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) && !p.clock.now().Before(p.deadline):
			return errPollTimeout
		case errors.Is(err, ErrUnauthenticated):
			return fmt.Errorf("reading %s: %w", p.app, withHint(err))
		case transient(err):
			if msg := err.Error(); msg != p.lastErr {
				p.lastErr = msg
				p.logf("%s: %v (retrying)", p.app, err)
			}
		default:
			return fmt.Errorf("reading %s: %w", p.app, withHint(err))
		}
		wait := min(p.interval, p.deadline.Sub(p.clock.now()))
		if wait > 0 {
			if err := p.clock.sleep(ctx, wait); err != nil {
				return err
			}
		}
	}
}

// settle reads the application once more with refresh=normal after an
// operation ended: times have whole seconds, so reconciledAt can equal
// finishedAt while the status is still from before the operation, and the
// refresh makes Argo CD compare again before answering.
func (p *poller) settle(ctx context.Context) error {
	rctx, cancel := context.WithDeadline(ctx, p.deadline)
	defer cancel()
	a, err := p.client.Application(rctx, p.app, "normal")
	switch {
	case err == nil:
		p.last = a
		if line := describe(a); line != p.lastLine {
			p.lastLine = line
			p.logf("%s: %s", p.app, line)
		}
	case errors.Is(err, ErrUnauthenticated):
		return fmt.Errorf("reading %s: %w", p.app, withHint(err))
	}
	return nil
}

func (p *poller) logf(format string, args ...any) {
	if p.log == nil {
		return
	}
	elapsed := p.clock.now().Sub(p.start).Round(time.Second)
	fmt.Fprintf(p.log, "[%6s] %s\n", elapsed, fmt.Sprintf(format, args...))
}

// lastState is the last application state for timeout messages.
func (p *poller) lastState() string {
	if p.last == nil {
		if p.lastErr != "" {
			return "never read: " + p.lastErr
		}
		return "never read"
	}
	s := describe(p.last)
	if p.lastErr != "" {
		s += "; then " + p.lastErr
	}
	return s
}
