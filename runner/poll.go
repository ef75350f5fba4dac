package runner

import (
	"context"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"github.com/sirupsen/logrus"
)

// pacer decides how long to wait before the next poll: fast right after a
// task arrived or ended (the next job of a needs chain usually becomes
// ready then), FetchInterval while idle, slower after a long idle time,
// and backing off after errors. An idle runner thus sends at most 30
// requests a minute (one per 2 s), and 12 after a minute of idleness.
type pacer struct {
	pace     Pace
	interval time.Duration
	lastWork time.Time // when a task last arrived or ended
	fails    int
}

// next is the wait before the next poll, measured at now.
func (p *pacer) next(now time.Time) time.Duration {
	if p.fails > 0 {
		return min(p.interval<<min(p.fails-1, 5), max(p.pace.MaxBackoff, p.interval))
	}
	since := now.Sub(p.lastWork)
	switch {
	case since < time.Second:
		return p.pace.Fast
	case since < p.pace.BriskFor:
		return p.pace.Brisk
	case since < p.pace.IdleAfter:
		return p.interval
	}
	return p.pace.IdleInterval
}

// work records that a task arrived or ended at now.
func (p *pacer) work(now time.Time) { p.lastWork, p.fails = now, 0 }

// failed records a failed poll; ok a successful one.
func (p *pacer) failed() { p.fails++ }
func (p *pacer) ok()     { p.fails = 0 }

// poll fetches and starts tasks while there is capacity, until ctx ends,
// the runner is unregistered, or (Once) one task has been taken.
func (r *Runner) poll(ctx context.Context) error {
	// Start in the normal pace: FetchInterval, slowing down after
	// IdleAfter without work.
	p := &pacer{pace: r.cfg.Pace, interval: r.cfg.FetchInterval, lastWork: r.cfg.Now().Add(-r.cfg.Pace.BriskFor)}
	var version int64
	// OnIdle goes at the first empty poll, then after IdleAfter without
	// work.
	first, signalIdle := true, true
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		// A slot first: never more than Capacity tasks at once.
		select {
		case r.slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		case err := <-r.fatal:
			return err
		}
		release := func() { <-r.slots }
		select {
		case <-timer.C:
		case <-r.finished:
			p.work(r.cfg.Now())
			timer.Stop()
		case <-ctx.Done():
			release()
			return nil
		case err := <-r.fatal:
			release()
			return err
		}
		// A select picks at random among ready cases: a timer that fired
		// together with the end of ctx must not start a fetch.
		if ctx.Err() != nil {
			release()
			return nil
		}
		task, v, err := r.fetch(ctx, version)
		switch {
		case err != nil && isUnregistered(err):
			release()
			return r.unregistered(err)
		case err != nil:
			release()
			p.failed()
			wait := p.next(r.cfg.Now())
			if p.fails == 1 || p.fails%10 == 0 {
				r.log.WithError(err).WithField("retry_in", wait).Warn("polling the forge for jobs failed")
			}
			timer.Reset(wait)
			continue
		}
		p.ok()
		version = v
		if task == nil {
			release()
			now := r.cfg.Now()
			if r.cfg.OnIdle != nil && signalIdle && len(r.slots) == 0 && (first || now.Sub(p.lastWork) >= r.cfg.Pace.IdleAfter) {
				first, signalIdle = false, false
				go r.cfg.OnIdle()
			}
			timer.Reset(p.next(now))
			continue
		}
		signalIdle = true
		// The forge hands out a task only when the version differs; after
		// one, ask again with 0 so that it looks for more work.
		version = 0
		received := r.cfg.Now()
		p.work(received)
		r.start(task, received, release)
		if r.cfg.Once {
			return nil
		}
		timer.Reset(p.next(r.cfg.Now()))
	}
}

// fetch asks for a task. A request that may have reached the forge is
// not cancelled by ctx: its reply could carry a task that would otherwise
// stay assigned to this runner and never run.
func (r *Runner) fetch(ctx context.Context, version int64) (*runnerv1.Task, int64, error) {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.FetchTimeout)
	defer cancel()
	task, v, err := r.cfg.Forge.FetchTask(fctx, version)
	if err != nil {
		return nil, version, err
	}
	return task, v, nil
}

// unregistered stops the runner: the forge deleted it.
func (r *Runner) unregistered(err error) error {
	r.stopFatal(err)
	r.log.WithError(err).Error("the forge does not know this runner any more; stopping")
	return <-r.fatal
}

// start runs task in a goroutine of its own; release frees its slot once
// the job has ended and its report is in (the forge counts the task as
// running until then).
func (r *Runner) start(task *runnerv1.Task, received time.Time, release func()) {
	r.mu.Lock()
	r.running++
	r.mu.Unlock()
	r.tasks.Add(1)
	r.reports.Add(1)
	go func() {
		defer r.reports.Done()
		defer release()
		defer r.survivePanic(task)
		rep := r.runTask(task, received, func() {
			r.mu.Lock()
			r.running--
			r.mu.Unlock()
			r.tasks.Done()
		})
		if rep == nil {
			return
		}
		if rep.wait(r.reportCtx) {
			// The report is in: the forge may have made the next job of
			// a needs chain ready. Poll now.
			select {
			case r.finished <- struct{}{}:
			default:
			}
		}
	}()
}

// logTask returns the log entry for a task's messages.
func (r *Runner) logTask(st *taskState) *logrus.Entry {
	return r.log.WithFields(logrus.Fields{"task.id": st.ID, "repo": st.Repo, "job": st.Job})
}
