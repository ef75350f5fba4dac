package cache

import (
	"context"
	"fmt"
	"net"
)

// ServeDir is a cache server process's life: it locks o.Dir (an error
// wrapping ErrDirInUse when another process serves it), opens the server
// there, listens on addr (port 0 picks one), tells listening its URL and
// the entries and bytes it holds, and serves until ctx ends.
func ServeDir(ctx context.Context, o Options, addr string, listening func(url string, entries int, bytes int64)) error {
	release, err := LockDir(o.Dir)
	if err != nil {
		return err
	}
	defer release()
	srv, err := Open(ctx, o)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	entries, size := srv.Usage()
	listening("http://"+ln.Addr().String()+"/", entries, size)
	return srv.Serve(ctx, ln)
}
