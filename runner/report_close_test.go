package runner

import (
	"testing"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
)

// close first marks the report closing (no row past closeAt goes out
// except with the closing request), then adds the last row and sets the
// result. A sender round in between must not finish the report: its
// final state would have no result, and the forge would keep the task
// running (seen with 20 daemons in BenchmarkFleet).
func TestReporterDoesNotFinishBeforeTheResult(t *testing.T) {
	t.Parallel()
	f := newFakeForge(t)
	rep, closeRep := testReporter(t, f, 1, nil)
	rep.Line("", "a row")
	// What close does first, and then a pause before the result.
	rep.mu.Lock()
	rep.closing = true
	rep.closeAt = rep.rows
	rep.mu.Unlock()
	rep.poke()
	time.Sleep(10 * rep.timing.Interval)
	select {
	case <-rep.done:
		t.Fatalf("the report finished before close set the result; requests: %v", f.log())
	default:
	}
	closeRep(runnerv1.Result_RESULT_SUCCESS)
	f.mu.Lock()
	defer f.mu.Unlock()
	states := f.states[1]
	if len(states) == 0 || states[len(states)-1].GetResult() != runnerv1.Result_RESULT_SUCCESS {
		t.Errorf("the last state sent has no result: %v", states)
	}
	if !f.closed[1] {
		t.Errorf("the log was not closed")
	}
}
