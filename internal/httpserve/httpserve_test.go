package httpserve

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// TestServe serves until the context ends, then returns nil; a listener
// that fails names what was served.
func TestServe(t *testing.T) {
	t.Parallel()
	hi := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "hi") })
	_, _, body := testkit.ServeOnce(t, func(ctx context.Context, ln net.Listener) error {
		return Serve(ctx, ln, hi, "tests")
	}, "/")
	if body != "hi" {
		t.Errorf("body %q, want hi", body)
	}

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	if err := Serve(t.Context(), closed, http.NotFoundHandler(), "tests"); err == nil || !strings.HasPrefix(err.Error(), "serving tests: ") {
		t.Errorf("Serve on a closed listener = %v, want an error starting %q", err, "serving tests: ")
	}
}
