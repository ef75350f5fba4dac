package cache

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// Jobs is the cache the jobs of a process (anvil daemon, anvil exec)
// reach: a server the process runs itself, or a shared one
// (Config.ExternalServer) whose credentials it issues. Close stops the own
// server.
type Jobs struct {
	issuer *Issuer
	// Base is the URL jobs are given, http://host:port. A loopback host
	// is rewritten per job to the address its environment reaches this
	// machine at (executor.Runtime).
	Base string
	// Dir and Listen describe the own server ("" for an external one).
	Dir, Listen string
	stop        func()
}

// JobsOptions are what differs between the daemon and anvil exec.
type JobsOptions struct {
	// DefaultDir is the entries' directory when Config.Dir is empty.
	DefaultDir string
	// Containers says that jobs may run in containers, so the own server
	// listens on every interface, not on loopback only.
	Containers bool
	// ErrorLog receives what the server cannot tell a client.
	ErrorLog func(error)
	// Handler, when set, is what the own server's listener serves: it
	// gets the cache's handler to route its paths to (exec's artifact
	// server shares the listener).
	Handler func(cache http.Handler) http.Handler
	// Observer, when set, counts the own server's hits, misses and bytes
	// (the daemon's metrics).
	Observer Observer
}

// ErrDirInUse says that another process serves the cache directory.
var ErrDirInUse = errors.New("in use by another anvil process")

// StartJobs starts the cache jobs reach as cfg says: nil when the cache is
// disabled; the issuer of an external server's credentials when
// cfg.ExternalServer is set; else a server of its own, serving until
// Close, even after ctx ends: jobs that run after an interrupt (if:
// always(), post steps, a graceful shutdown) still reach it.
func StartJobs(ctx context.Context, cfg Config, o JobsOptions) (*Jobs, error) {
	if !cfg.IsEnabled() {
		return nil, nil
	}
	secret, err := cfg.ResolveSecret()
	if err != nil {
		return nil, err
	}
	if cfg.ExternalServer != "" {
		iss, err := NewIssuer(secret, 0, nil)
		if err != nil {
			return nil, err
		}
		base := cfg.ExternalServer
		if cfg.ActionsCacheURLOverride != "" {
			base = cfg.ActionsCacheURLOverride
		}
		return &Jobs{issuer: iss, Base: strings.TrimRight(base, "/"), stop: func() {}}, nil
	}
	if len(secret) == 0 {
		secret = []byte(rand.Text()) // the server and its issuer live in this process
	}
	dir := cfg.Dir
	if dir == "" {
		dir = o.DefaultDir
	}
	release, err := LockDir(dir)
	if err != nil {
		return nil, err
	}
	srv, err := Open(ctx, Options{Dir: dir, Secret: secret, MaxSize: int64(cfg.MaxSize), MaxAge: cfg.MaxAge, ErrorLog: o.ErrorLog, Observer: o.Observer})
	if err != nil {
		release()
		return nil, err
	}
	listen := net.JoinHostPort(ListenHost(cfg.Host, o.Containers), strconv.Itoa(int(cfg.Port)))
	// Plain TCP, not Go's default of Multipath TCP: jobs connect over
	// loopback or a container bridge, where it gains nothing, and its
	// availability probe and heavier socket cost a short exec 0.2 ms.
	var lc net.ListenConfig
	lc.SetMultipathTCP(false)
	ln, err := lc.Listen(ctx, "tcp", listen)
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
		if o.Handler != nil {
			h = o.Handler(srv)
		}
		if err := srv.ServeHandler(sctx, ln, h); err != nil && o.ErrorLog != nil {
			o.ErrorLog(err)
		}
	}()
	return &Jobs{
		issuer: srv.Issuer(), Base: base, Dir: dir, Listen: ln.Addr().String(),
		stop: func() {
			cancel()
			<-done
			release()
		},
	}, nil
}

// Close stops a server of this process and releases its directory.
func (j *Jobs) Close() {
	if j != nil {
		j.stop()
	}
}

// Credentials returns the job credentials for scope.
func (j *Jobs) Credentials(scope Scope) (JobCredentials, error) {
	return j.issuer.JobCredentials(j.Base, scope)
}

// ListenHost is where a server jobs reach listens: loopback when every job
// runs on this machine and reaches it there; every interface when jobs
// may run in containers (which reach it at their network's gateway) or
// cache.host names a non-loopback address. Either way, only requests
// with a job's credential get anywhere.
func ListenHost(host string, containers bool) string {
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
