package cmd

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"codeberg.org/anvil-ci/anvil/cache"
)

// jobCache is the cache the jobs of this process reach: a cache server it
// runs itself, or a shared one (cache.external_server). Close stops the
// own server.
type jobCache struct {
	issuer *cache.Issuer
	// base is the URL jobs are given, http://host:port. A loopback host
	// is rewritten per job to the address its environment reaches this
	// machine at (executor.Runtime).
	base string
	// dir and listen describe the own server ("" for an external one).
	dir, listen string
	stop        func()
}

// jobCacheOptions are what differs between daemon and exec.
type jobCacheOptions struct {
	// defaultDir is the entries' directory when cache.dir is empty.
	defaultDir string
	// containers says that jobs may run in containers, so the own server
	// listens on every interface, not on loopback only.
	containers bool
	// errorLog receives what the server cannot tell a client.
	errorLog func(error)
	// handler, when set, is what the own server's listener serves: it
	// gets the cache's handler to route its paths to (exec's artifact
	// server shares the listener).
	handler func(cache http.Handler) http.Handler
	// observer, when set, counts the own server's hits, misses and bytes
	// (the daemon's metrics).
	observer cache.Observer
}

// errCacheDirInUse says that another process serves the cache directory.
var errCacheDirInUse = errors.New("in use by another anvil process")

// startJobCache starts the cache jobs reach as cfg says: nil when the cache
// is disabled; the issuer of an external server's credentials when
// cache.external_server is set; else a server of its own, serving until
// Close, even after ctx ends: jobs that run after an interrupt (if:
// always(), post steps, a graceful shutdown) still reach it.
func startJobCache(ctx context.Context, cfg cache.Config, o jobCacheOptions) (*jobCache, error) {
	if !cfg.IsEnabled() {
		return nil, nil
	}
	secret, err := cfg.ResolveSecret()
	if err != nil {
		return nil, err
	}
	if cfg.ExternalServer != "" {
		iss, err := cache.NewIssuer(secret, 0, nil)
		if err != nil {
			return nil, err
		}
		base := cfg.ExternalServer
		if cfg.ActionsCacheURLOverride != "" {
			base = cfg.ActionsCacheURLOverride
		}
		return &jobCache{issuer: iss, base: strings.TrimRight(base, "/"), stop: func() {}}, nil
	}
	if len(secret) == 0 {
		secret = []byte(rand.Text()) // the server and its issuer live in this process
	}
	dir := cfg.Dir
	if dir == "" {
		dir = o.defaultDir
	}
	release, err := lockCacheDir(dir)
	if err != nil {
		return nil, err
	}
	srv, err := cache.Open(ctx, cache.Options{Dir: dir, Secret: secret, MaxSize: int64(cfg.MaxSize), MaxAge: cfg.MaxAge, ErrorLog: o.errorLog, Observer: o.observer})
	if err != nil {
		release()
		return nil, err
	}
	listen := net.JoinHostPort(listenHost(cfg.Host, o.containers), strconv.Itoa(int(cfg.Port)))
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		release()
		return nil, fmt.Errorf("starting the cache server on %s: %w (choose another cache.port, or 0 for any)", listen, err)
	}
	host := cfg.Host
	if host == "" {
		host = "127.0.0.1"
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	base := "http://" + net.JoinHostPort(host, port)
	if cfg.ActionsCacheURLOverride != "" {
		base = strings.TrimRight(cfg.ActionsCacheURLOverride, "/")
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		var h http.Handler = srv
		if o.handler != nil {
			h = o.handler(srv)
		}
		if err := srv.ServeHandler(sctx, ln, h); err != nil && o.errorLog != nil {
			o.errorLog(err)
		}
	}()
	return &jobCache{
		issuer: srv.Issuer(), base: base, dir: dir, listen: ln.Addr().String(),
		stop: func() {
			cancel()
			<-done
			release()
		},
	}, nil
}

// Close stops a server of this process and releases its directory.
func (c *jobCache) Close() {
	if c != nil {
		c.stop()
	}
}

// listenHost is where the own server listens: loopback when every job
// runs on this machine and reaches it there; every interface when jobs
// may run in containers (which reach it at their network's gateway) or
// cache.host names a non-loopback address. Either way, only requests
// with a job's credential get anywhere.
func listenHost(host string, containers bool) string {
	if host != "" {
		if ip := net.ParseIP(host); (ip != nil && ip.IsLoopback()) || host == "localhost" {
			return host
		}
		return ""
	}
	if containers {
		return ""
	}
	return "127.0.0.1"
}

// credentials returns the job credentials for scope.
func (c *jobCache) credentials(scope cache.Scope) (cache.JobCredentials, error) {
	return c.issuer.JobCredentials(c.base, scope)
}

// lockCacheDir creates dir and takes its lock, so that two processes
// never serve one cache directory (each would discard the other's
// uploads). release gives it back.
func lockCacheDir(dir string) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the cache directory: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("locking the cache directory: %w", err)
	}
	ok, err := tryLock(f)
	if err != nil || !ok {
		f.Close()
		if err == nil {
			err = errCacheDirInUse
		}
		return nil, fmt.Errorf("cache directory %s: %w", dir, err)
	}
	return func() { unlock(f); f.Close() }, nil
}
