package fleet

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// Serve answers until its context ends, then returns nil and stops
// listening.
func TestServe(t *testing.T) {
	t.Parallel()
	addr, _, body := testkit.ServeOnce(t, func(ctx context.Context, ln net.Listener) error {
		return Serve(ctx, ln, ServeConfig{Refresh: time.Minute, Now: time.Now})
	}, "/healthz")
	if strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz: %q", body)
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("still serving after Serve returned")
	}
}

// A listener that fails is an error that says what was served.
func TestServeClosedListener(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	if err := Serve(t.Context(), ln, ServeConfig{Now: time.Now}); err == nil || !strings.Contains(err.Error(), "serving the queue") {
		t.Errorf("Serve on a closed listener = %v", err)
	}
}
