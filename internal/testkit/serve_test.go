package testkit_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"

	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// TestServeOnce returns what was served, and fails the test when serve
// does not return nil once its context ends.
func TestServeOnce(t *testing.T) {
	t.Parallel()
	serve := func(fail error) func(context.Context, net.Listener) error {
		return func(ctx context.Context, ln net.Listener) error {
			hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusTeapot)
				io.WriteString(w, "tea")
			})}
			go func() { <-ctx.Done(); hs.Close() }()
			_ = hs.Serve(ln)
			return fail
		}
	}
	var addr, body string
	var status int
	if r := testkit.Record(t, func(tb testing.TB) { addr, status, body = testkit.ServeOnce(tb, serve(nil), "/") }); r.Failed() {
		t.Errorf("a serve that returned nil failed: %q", r.Errors())
	}
	if addr == "" || status != http.StatusTeapot || body != "tea" {
		t.Errorf("ServeOnce = %q, %d, %q; want the address, 418, tea", addr, status, body)
	}
	if r := testkit.Record(t, func(tb testing.TB) { testkit.ServeOnce(tb, serve(errors.New("boom")), "/") }); !r.Failed() {
		t.Error("a serve that returned an error passed")
	}
}
