package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Errors of one reporting round that are worth another try.
var (
	errLogNotTaken     = errors.New("the forge did not take the log rows")
	errOutputsNotTaken = errors.New("the forge has not stored every output yet")
)

// maxRefusals is how many refusals (errors that are neither retryable nor
// "unregistered") the final report takes before the runner gives up on
// the task: the forge keeps refusing, e.g. because it already closed it.
const maxRefusals = 3

// run sends rows and states until the task is closed and fully reported,
// then removes its spool. It returns early when ctx ends (the runner
// stops): what is unsent stays on disk for the next start.
func (r *reporter) run(ctx context.Context) {
	defer close(r.done)
	tick := time.NewTicker(r.timing.Interval)
	defer tick.Stop()
	var (
		fails, refusals int
		retryAt         time.Time
		lastState       time.Time
	)
	for {
		select {
		case <-ctx.Done():
			r.saveState()
			r.spool.Close()
			return
		case <-r.wake:
		case <-tick.C:
		}
		if r.now().Before(retryAt) {
			continue
		}
		// Finish only once close has set the result: a finish between its
		// first step (closing) and its last would send a state without
		// result as the final one, and the task would stay running on the
		// forge.
		r.mu.Lock()
		closing := r.ended // not closing: the result may not be set yet
		r.mu.Unlock()
		var err error
		if closing {
			err = r.finish(ctx)
		} else {
			err = r.round(ctx, &lastState)
		}
		r.saveState()
		switch {
		case err == nil && closing:
			r.remove()
			return
		case err == nil:
			fails = 0
			continue
		case isUnregistered(err):
			r.log.WithError(err).Error("the forge does not know this runner any more; the task cannot be reported")
			if r.onUnregistered != nil {
				r.onUnregistered(err)
			}
			r.spool.Close()
			return
		case !isRetryable(err) && !errors.Is(err, errLogNotTaken) && !errors.Is(err, errOutputsNotTaken):
			refusals++
			if closing && refusals >= maxRefusals {
				r.log.WithError(err).Error("the forge keeps refusing the task's report; giving up on it")
				r.remove()
				return
			}
		}
		fails++
		backoff := min(r.timing.Interval<<min(fails, 6), r.timing.MaxBackoff)
		retryAt = r.now().Add(backoff)
		if fails == 1 || fails%10 == 0 {
			r.log.WithError(err).WithField("retry_in", backoff).Warn("reporting to the forge failed; will retry")
		}
	}
}

// round sends pending rows (a few batches at most, so that states are not
// held up by a large backlog) and the state when it changed or the
// heartbeat is due.
func (r *reporter) round(ctx context.Context, lastState *time.Time) error {
	more, err := r.sendLogs(ctx, false, 8)
	if err != nil {
		return err
	}
	if more {
		r.poke()
	}
	r.mu.Lock()
	due := r.dirty || r.now().Sub(*lastState) >= r.timing.Heartbeat
	r.mu.Unlock()
	if !due {
		return nil
	}
	if err := r.sendState(ctx, false); err != nil {
		return err
	}
	*lastState = r.now()
	return nil
}

// finish sends every remaining row, the last request with no_more, then
// the final state with the outputs until the forge has stored them.
func (r *reporter) finish(ctx context.Context) error {
	if _, err := r.sendLogs(ctx, true, 0); err != nil {
		if isUnregistered(err) || isRetryable(err) || errors.Is(err, errLogNotTaken) {
			return err
		}
		// A refused log (e.g. already closed after a restart) must not
		// keep the result from being reported.
		r.log.WithError(err).Warn("the forge refused the last log rows")
	}
	return r.sendState(ctx, true)
}

// sendLogs sends the rows the forge does not have yet, from its last ack,
// in batches; at most maxBatches requests (0: no limit). With noMore the
// request that carries the last row closes the log. It reports whether
// rows remain.
func (r *reporter) sendLogs(ctx context.Context, noMore bool, maxBatches int) (bool, error) {
	total := r.spool.Rows()
	r.mu.Lock()
	if r.closing && !noMore {
		total = min(total, r.closeAt)
	}
	r.unsentBytes = 0
	acked := r.st.Acked
	r.mu.Unlock()
	cur, err := r.spool.seek(min(acked, total))
	if err != nil {
		return false, err
	}
	for n := 0; acked < total; n++ {
		if maxBatches > 0 && n >= maxBatches {
			return true, nil
		}
		rows, next, err := r.spool.Read(cur, total, maxBatchRows, maxBatchBytes)
		if err != nil {
			return false, err
		}
		protoRows := make([]*runnerv1.LogRow, len(rows))
		for i, row := range rows {
			protoRows[i] = &runnerv1.LogRow{Time: timestamppb.New(row.Time), Content: row.Content}
		}
		rctx, cancel := context.WithTimeout(ctx, r.timing.RequestTimeout)
		ack, err := r.forge.UpdateLog(rctx, r.st.ID, acked, protoRows, noMore && next.row == total)
		cancel()
		if err != nil {
			return false, fmt.Errorf("sending log rows %d-%d: %w", acked, next.row, err)
		}
		switch {
		case ack == next.row:
			cur = next
		case ack > acked && ack < next.row:
			if cur, err = r.spool.seek(ack); err != nil {
				return false, err
			}
		case ack < acked:
			// The forge has fewer rows than it said before: send again
			// from where it is.
			if cur, err = r.spool.seek(ack); err != nil {
				return false, err
			}
		default:
			return false, fmt.Errorf("sending log rows %d-%d: %w (it acknowledged %d)", acked, next.row, errLogNotTaken, ack)
		}
		r.mu.Lock()
		r.st.Acked, r.ackedOff = cur.row, cur.off
		r.mu.Unlock()
		if ack < acked {
			return false, fmt.Errorf("sending log rows: %w (it has %d rows, fewer than before)", errLogNotTaken, ack)
		}
		acked = cur.row
	}
	return false, nil
}

// sendState sends the task state; the final one carries the outputs the
// forge has not confirmed yet and fails with errOutputsNotTaken until it
// has them all. A reply saying the task is over while it still runs here
// (a user cancelled it) calls onCancel.
func (r *reporter) sendState(ctx context.Context, final bool) error {
	r.mu.Lock()
	if r.closing && !final {
		// The result goes only with the final state, after the log is
		// closed and together with the outputs.
		r.mu.Unlock()
		return nil
	}
	state := r.st.proto()
	var outputs map[string]string
	if final && len(r.st.Outputs) > 0 {
		outputs = make(map[string]string, len(r.st.Outputs))
		for k, v := range r.st.Outputs {
			if !slices.Contains(r.sentOutputs, k) {
				outputs[k] = v
			}
		}
	}
	r.dirty = false
	closing := r.closing
	r.mu.Unlock()
	rctx, cancel := context.WithTimeout(ctx, r.timing.RequestTimeout)
	resp, err := r.forge.UpdateTask(rctx, state, outputs)
	cancel()
	if err != nil {
		r.mu.Lock()
		r.dirty = true
		r.mu.Unlock()
		return fmt.Errorf("sending the task state: %w", err)
	}
	if res := resp.GetState().GetResult(); res != runnerv1.Result_RESULT_UNSPECIFIED && !closing && r.onCancel != nil {
		r.cancelOnce.Do(func() { r.onCancel(res) })
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sentOutputs = resp.GetSentOutputs()
	if !final {
		return nil
	}
	for k := range r.st.Outputs {
		if !slices.Contains(r.sentOutputs, k) {
			r.outputTries++
			if r.outputTries > maxRefusals {
				r.log.WithField("output", k).Warn("the forge did not store a job output; giving up on it")
				return nil
			}
			return fmt.Errorf("output %q: %w", k, errOutputsNotTaken)
		}
	}
	return nil
}

// saveState writes the state to disk when it changed since the last save.
func (r *reporter) saveState() {
	r.saveMu.Lock()
	defer r.saveMu.Unlock()
	r.mu.Lock()
	st := r.st
	st.Steps = slices.Clone(r.st.Steps)
	r.mu.Unlock()
	if st.Acked == r.savedAcked && !r.changedSinceSave.Swap(false) {
		return
	}
	if err := st.save(r.dir); err != nil {
		r.log.WithError(err).Warn("cannot save the task's state; a restart would lose it")
		return
	}
	r.savedAcked = st.Acked
}

// remove deletes the task's spool once everything is reported.
func (r *reporter) remove() {
	r.spool.Close()
	if err := os.RemoveAll(r.dir); err != nil {
		r.log.WithError(err).Warn("cannot remove the task's spool directory")
	}
}
