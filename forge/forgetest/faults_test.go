package forgetest_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"connectrpc.com/connect"

	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

func TestFaults(t *testing.T) {
	t.Parallel()
	// A reset connection shows as canceled or unavailable, depending on
	// whether the client was still writing.
	reset := []connect.Code{connect.CodeCanceled, connect.CodeUnavailable}
	tests := []struct {
		name      string
		arm       func(srv *forgetest.Server)
		timeout   time.Duration
		wantCodes []connect.Code // any of them; none: success
		processed bool           // the forge stored the rows
	}{
		{name: "refuse", arm: func(s *forgetest.Server) { s.Refuse(forgetest.MethodUpdateLog, 1) }, wantCodes: reset},
		{name: "refuse any method", arm: func(s *forgetest.Server) { s.Refuse("", 1) }, wantCodes: reset},
		{name: "drop reply", arm: func(s *forgetest.Server) { s.DropReply(forgetest.MethodUpdateLog, 1) }, wantCodes: reset, processed: true},
		{name: "unavailable", arm: func(s *forgetest.Server) { s.Unavailable(time.Minute) }, wantCodes: []connect.Code{connect.CodeUnavailable}},
		{name: "delay past the deadline", arm: func(s *forgetest.Server) { s.Delay(forgetest.MethodUpdateLog, time.Minute) }, timeout: 100 * time.Millisecond, wantCodes: []connect.Code{connect.CodeDeadlineExceeded}},
		{name: "delay within the deadline", arm: func(s *forgetest.Server) { s.Delay("", 50*time.Millisecond) }, processed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := forgetest.New(t)
			c, id := started(t, srv)
			tt.arm(srv)
			ctx := t.Context()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			start := time.Now()
			_, err := c.log(ctx, id, 0, false, "row")
			if (err == nil) != (tt.wantCodes == nil) || err != nil && !slices.Contains(tt.wantCodes, connect.CodeOf(err)) {
				t.Errorf("UpdateLog = %v, want one of the codes %v", err, tt.wantCodes)
			}
			if tt.name == "delay within the deadline" && time.Since(start) < 50*time.Millisecond {
				t.Errorf("delayed call returned after %v, want at least 50ms", time.Since(start))
			}
			time.Sleep(50 * time.Millisecond) // a delayed call the client gave up on must stay unprocessed
			if got := srv.Task(id).LogLength == 1; got != tt.processed {
				t.Errorf("rows stored = %t, want %t", got, tt.processed)
			}
			if got := srv.Requests(forgetest.MethodUpdateLog); got != 1 {
				t.Errorf("Requests(UpdateLog) = %d, want 1 (faulted calls count)", got)
			}
			// Each fault is bounded: the next call goes through.
			srv.Unavailable(0)
			srv.Delay("", 0)
			srv.Delay(forgetest.MethodUpdateLog, 0)
			if ack, err := c.log(t.Context(), id, 0, false, "row"); err != nil || ack != 1 {
				t.Errorf("UpdateLog after the fault = %d, %v; want 1", ack, err)
			}
		})
	}
}

func TestUnavailableEnds(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	c, _ := runner(t, srv)
	// A window that a call made at once falls in even on a busy machine;
	// then calls until one goes through, rather than a sleep.
	srv.Unavailable(2 * time.Second)
	_, err := c.FetchTask(t.Context(), connect.NewRequest(&runnerv1.FetchTaskRequest{}))
	if connect.CodeOf(err) != connect.CodeUnavailable {
		t.Fatalf("FetchTask while unavailable = %v, want unavailable", err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		_, err := c.FetchTask(t.Context(), connect.NewRequest(&runnerv1.FetchTaskRequest{}))
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("FetchTask a minute after a 2s window = %v, want success", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestRequestCounters(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	c, _ := runner(t, srv)
	start := time.Now()
	for range 3 {
		c.fetch(t, 0)
	}
	_, _ = c.log(t.Context(), 99, 0, false)
	if got := srv.Requests(forgetest.MethodFetchTask); got != 3 {
		t.Errorf("Requests(FetchTask) = %d, want 3", got)
	}
	if got := srv.Requests(""); got != 4 {
		t.Errorf("Requests(all) = %d, want 4", got)
	}
	if got := srv.RequestsSince("", time.Now()); got != 0 {
		t.Errorf("RequestsSince(now) = %d, want 0", got)
	}
	if rate := srv.RequestsPerMinute(forgetest.MethodFetchTask, start); rate < 3 {
		t.Errorf("RequestsPerMinute = %v, want at least 3 (3 calls in under a minute)", rate)
	}
}

// strictTB records the server's complaints instead of failing the test.
type strictTB struct {
	testing.TB
	errors []string
}

func (s *strictTB) Errorf(format string, args ...any) {
	s.errors = append(s.errors, fmt.Sprintf(format, args...))
}

func TestMisuseFailsTheTest(t *testing.T) {
	t.Parallel()
	tb := &strictTB{TB: t}
	srv := forgetest.New(tb)
	srv.Refuse("Fetch", 1)
	srv.Cancel(42)
	srv.DeleteRunner("nobody")
	_ = srv.Task(7)
	want := []string{`Refuse("Fetch")`, "Cancel(42)", `DeleteRunner("nobody")`, "Task(7)"}
	if len(tb.errors) != len(want) {
		t.Fatalf("errors = %q, want %d", tb.errors, len(want))
	}
	for i, w := range want {
		if !strings.Contains(tb.errors[i], w) {
			t.Errorf("error %d = %q, want it to name %s", i, tb.errors[i], w)
		}
	}
}
