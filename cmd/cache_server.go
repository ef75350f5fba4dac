package cmd

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"codeberg.org/anvil-ci/anvil/cache"
	"codeberg.org/anvil-ci/anvil/internal/interrupt"
)

const cacheServerLong = `Serve actions/cache (the v1 REST API and the v2 twirp CacheService) for a
fleet of runners that share one cache: point each runner's
cache.external_server at the URL this prints, with the same cache.secret as
the file --secret-file names.

Runners give each job a credential derived from the secret, its repository
and its ref: a job reads its own ref's entries, then its pull request base's,
then the default branch's, and writes only its own ref's; no repository sees
another's. Entries are streamed to --dir, survive a restart, and are evicted
when unused for --max-age or, least recently used first, beyond --max-size.

The URL is printed on stdout; logs go to stderr. SIGTERM or SIGINT stops the
server, letting uploads in flight finish for a few seconds.`

const cacheServerExample = `  openssl rand -hex 32 > /etc/anvil/cache-secret
  anvil cache-server --addr 0.0.0.0:9000 --secret-file /etc/anvil/cache-secret \
    --dir /var/cache/anvil --max-size 50GiB --max-age 168h`

// cacheServerOptions are anvil cache-server's flags.
type cacheServerOptions struct {
	dir        string
	addr       string
	secretFile string
	maxSize    cache.ByteSize
	maxAge     time.Duration
	metrics    string
}

func newCacheServerCommand(proc Process) *cobra.Command {
	o := &cacheServerOptions{maxSize: cache.DefaultMaxSize, maxAge: cache.DefaultMaxAge}
	c := &cobra.Command{
		Use:     "cache-server",
		Short:   "Serve actions/cache for a fleet of runners sharing one cache",
		Long:    cacheServerLong,
		Example: cacheServerExample,
		Args:    rangeArgs(0, 0),
		RunE: func(c *cobra.Command, _ []string) error {
			return runCacheServer(c.Context(), proc, o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.dir, "dir", "", "where entries are stored (default $XDG_CACHE_HOME/anvil/cache or ~/.cache/anvil/cache)")
	f.StringVar(&o.addr, "addr", "127.0.0.1:0", "the address to listen on (port 0 picks one)")
	f.StringVar(&o.secretFile, "secret-file", "", "a file holding the secret shared with the runners (their cache.secret); required")
	f.Var(&o.maxSize, "max-size", "evict the least recently used entries beyond this total size")
	f.DurationVar(&o.maxAge, "max-age", o.maxAge, "evict entries not used for this long")
	f.StringVar(&o.metrics, "metrics-addr", "", "serve Prometheus metrics (hits, misses, bytes) and /healthz, /readyz on this address; empty: off")
	return c
}

// runCacheServer serves the cache until the context ends.
func runCacheServer(ctx context.Context, proc Process, o *cacheServerOptions) error {
	if o.secretFile == "" {
		return usageErrorf("anvil cache-server needs --secret-file: a file with the secret the runners have as cache.secret (e.g. openssl rand -hex 32 > FILE)")
	}
	if o.maxSize <= 0 || o.maxAge <= 0 {
		return usageErrorf("--max-size and --max-age must be positive")
	}
	secret, err := cache.ReadSecretFile(o.secretFile)
	if err != nil {
		return usageError(err)
	}
	dir := o.dir
	if dir == "" {
		dir = filepath.Join(defaultWorkdirParent(proc), "cache")
	}
	log, err := daemonLogger(proc, "info")
	if err != nil {
		return err
	}
	var observer cache.Observer
	if o.metrics != "" {
		stop, obs, err := serveCacheMetrics(o.metrics, log)
		if err != nil {
			return err
		}
		defer stop()
		observer = obs
	}
	err = cache.ServeDir(ctx, cache.Options{
		Dir: dir, Secret: secret, MaxSize: int64(o.maxSize), MaxAge: o.maxAge,
		ErrorLog: func(err error) { log.WithError(err).Warn("cache server") },
		Observer: observer,
	}, o.addr, func(url string, entries int, size int64) {
		fmt.Fprintln(proc.Stdout, url)
		log.WithFields(logrus.Fields{"url": url, "dir": dir, "entries": entries, "bytes": size, "max_size": o.maxSize.String(), "max_age": o.maxAge}).
			Info("anvil cache-server listening; runners need its URL as cache.external_server, with the same cache.secret")
		interrupt.SetNotes(ctx, "anvil: stopping the cache server; signal again to exit at once", "")
	})
	switch {
	case errors.Is(err, cache.ErrDirInUse):
		return fmt.Errorf("%w: give each cache server its own --dir", err)
	case err != nil:
		return err
	}
	log.Info("anvil cache-server stopped")
	return nil
}
