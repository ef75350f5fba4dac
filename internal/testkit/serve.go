package testkit

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// ServeOnce starts serve on a new loopback listener, GETs path from it,
// then ends serve's context and checks that serve returns nil within 10
// seconds. It returns the listener's address and the response's status and
// body, for the caller to check what was served.
func ServeOnce(tb testing.TB, serve func(ctx context.Context, ln net.Listener) error, path string) (addr string, status int, body string) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr = ln.Addr().String()
	ctx, cancel := context.WithCancel(tb.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln) }()
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		tb.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			tb.Errorf("serve after its context ended = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		tb.Fatal("serve did not return after its context ended")
	}
	return addr, resp.StatusCode, string(data)
}
