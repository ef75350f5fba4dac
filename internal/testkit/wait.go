package testkit

import (
	"testing"
	"time"
)

// WaitFor polls cond every 10ms until it holds, and fails the test when
// it still does not hold after within. what names the condition in the
// failure.
func WaitFor(tb testing.TB, within time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
