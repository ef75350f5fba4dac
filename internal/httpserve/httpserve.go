// Package httpserve runs an HTTP server on a listener for as long as a
// context lasts: the metrics endpoint and fleet queue's server share it.
package httpserve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Serve answers with h on ln until ctx ends, then shuts the server down,
// giving requests in flight 5 seconds. Errors say "serving what: ...".
func Serve(ctx context.Context, ln net.Listener, h http.Handler, what string) error {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving %s: %w", what, err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serving %s: %w", what, err)
		}
		return nil
	}
}
