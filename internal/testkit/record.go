package testkit

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// Record runs fn with a testing.TB double that records what fn reports
// instead of failing t: the test of a test helper (a fake that must fail
// on misuse, a golden check) asserts on the returned Report. Fatal and
// FailNow end fn as they end a test. Cleanups fn registers run before
// Record returns, and what they report is recorded too.
func Record(t *testing.T, fn func(tb testing.TB)) *Report {
	t.Helper()
	r := &Report{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer r.runCleanups()
		fn(r)
	}()
	<-done
	return r
}

// Report is the testing.TB double of Record, and what it recorded.
type Report struct {
	// TB provides what the double does not record (TempDir, Context,
	// Logf...); it is the test that called Record.
	testing.TB

	mu       sync.Mutex
	errors   []string
	fatal    bool
	cleanups []func()
}

// Errors returns the messages of Error, Errorf, Fatal and Fatalf, in order.
func (r *Report) Errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errors...)
}

// Failed reports whether fn reported a failure.
func (r *Report) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.errors) > 0 || r.fatal
}

// Fataled reports whether fn ended with Fatal, Fatalf or FailNow.
func (r *Report) Fataled() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fatal
}

func (r *Report) Helper() {}

func (r *Report) Error(args ...any) { r.add(fmt.Sprint(args...)) }

func (r *Report) Errorf(format string, args ...any) { r.add(fmt.Sprintf(format, args...)) }

func (r *Report) Fail() { r.add("Fail called") }

func (r *Report) Fatal(args ...any) {
	r.add(fmt.Sprint(args...))
	r.FailNow()
}

func (r *Report) Fatalf(format string, args ...any) {
	r.add(fmt.Sprintf(format, args...))
	r.FailNow()
}

// FailNow ends fn (runtime.Goexit, as testing does).
func (r *Report) FailNow() {
	r.mu.Lock()
	r.fatal = true
	r.mu.Unlock()
	runtime.Goexit()
}

// Cleanup registers f to run when fn has returned, last registered first.
func (r *Report) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

func (r *Report) add(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, msg)
}

func (r *Report) runCleanups() {
	for {
		r.mu.Lock()
		if len(r.cleanups) == 0 {
			r.mu.Unlock()
			return
		}
		f := r.cleanups[len(r.cleanups)-1]
		r.cleanups = r.cleanups[:len(r.cleanups)-1]
		r.mu.Unlock()
		func() {
			// A cleanup that calls Fatal ends only itself.
			done := make(chan struct{})
			go func() {
				defer close(done)
				f()
			}()
			<-done
		}()
	}
}
