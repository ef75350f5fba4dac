package cache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"strings"
	"time"
)

// Where the server answers. v1 requests carry the job credential in the
// path (ACTIONS_CACHE_URL = base + pathPrefix + credential + "/"); v2
// (twirp, always at the root of ACTIONS_RESULTS_URL's host) carries it as
// the bearer token; signed URLs carry their own MAC.
const (
	pathPrefix  = "/_cache/"
	blobPrefix  = pathPrefix + "blob/"
	pingPath    = pathPrefix + "ping"
	v1Prefix    = "_apis/artifactcache/"
	twirpPrefix = "/twirp/github.actions.results.api.v1.CacheService/"
)

// Options configure a Server.
type Options struct {
	// Dir holds the entries and their index; it is created when missing.
	Dir string
	// Secret is shared with the Issuers of the server's runners.
	Secret []byte
	// MaxSize bounds the bytes of all entries (0: DefaultMaxSize).
	MaxSize int64
	// MaxAge evicts entries not used for this long (0: DefaultMaxAge).
	MaxAge time.Duration
	// UploadTimeout discards an upload without progress for this long
	// (0: DefaultUploadTimeout); its key can then be saved again.
	UploadTimeout time.Duration
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// ErrorLog receives failures no client is told the details of (nil:
	// dropped). Messages never contain credentials.
	ErrorLog func(error)
	// Observer is told of lookups and transfers (nil: nobody).
	Observer Observer
}

// Server is the cache server: an http.Handler for both cache APIs.
type Server struct {
	store    *store
	issuer   *Issuer
	now      func() time.Time
	errorLog func(error)
	observer Observer
}

// Open loads (or creates) the cache in o.Dir and returns its server.
// Uploads an earlier process left unfinished are discarded.
func Open(ctx context.Context, o Options) (*Server, error) {
	if o.Dir == "" {
		return nil, errors.New("the cache server needs a directory (cache.dir)")
	}
	if o.MaxSize <= 0 {
		o.MaxSize = DefaultMaxSize
	}
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultMaxAge
	}
	if o.UploadTimeout <= 0 {
		o.UploadTimeout = DefaultUploadTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ErrorLog == nil {
		o.ErrorLog = func(error) {}
	}
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	iss, err := NewIssuer(o.Secret, 0, o.Now)
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, o.Dir, o)
	if err != nil {
		return nil, err
	}
	s := &Server{store: st, issuer: iss, now: o.Now, errorLog: o.ErrorLog, observer: o.Observer}
	s.Sweep()
	return s, nil
}

// Issuer returns an Issuer of credentials this server accepts.
func (s *Server) Issuer() *Issuer { return s.issuer }

// Sweep discards stale uploads and evicts entries by age and size. Serve
// runs it every minute; who mounts the handler elsewhere calls it.
func (s *Server) Sweep() { s.store.sweep() }

// Usage returns the number of entries and their total size in bytes.
func (s *Server) Usage() (entries int, bytes int64) { return s.store.usage() }

// Serve answers on ln until ctx ends, sweeping every minute, then shuts
// down gracefully (uploads in flight get 10 seconds).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	return s.ServeHandler(ctx, ln, s)
}

// ServeHandler is Serve with h answering the requests: a mux that hands
// the cache's paths (see ServeHTTP) to s and serves others beside it, as
// anvil exec's artifact server, which shares ACTIONS_RESULTS_URL with the
// cache's v2 API.
func (s *Server) ServeHandler(ctx context.Context, ln net.Listener, h http.Handler) error {
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          log.New(logWriter(s.errorLog), "", 0),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			s.Sweep()
		case err := <-errc:
			return fmt.Errorf("serving the cache: %w", err)
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := hs.Shutdown(sctx); err != nil {
				hs.Close()
			}
			<-errc
			return nil
		}
	}
}

// logWriter turns net/http's log lines into ErrorLog calls.
type logWriter func(error)

func (f logWriter) Write(p []byte) (int, error) {
	f(errors.New(strings.TrimSpace(string(p))))
	return len(p), nil
}

// ServeHTTP routes a request to the v1 API, the v2 API or a signed URL.
// It answers only paths under /_cache/ and
// /twirp/github.actions.results.api.v1.CacheService/, so it can share a
// listener (an http.ServeMux) with an artifact server, as v2 needs when
// ACTIONS_RESULTS_URL serves both.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == pingPath:
		w.WriteHeader(http.StatusNoContent)
	case strings.HasPrefix(p, blobPrefix):
		s.serveBlob(w, r, strings.TrimPrefix(p, blobPrefix))
	case strings.HasPrefix(p, twirpPrefix):
		s.serveTwirp(w, r, strings.TrimPrefix(p, twirpPrefix))
	case strings.HasPrefix(p, pathPrefix):
		tok, rest, _ := strings.Cut(strings.TrimPrefix(p, pathPrefix), "/")
		c, err := s.issuer.verify(tok)
		if err != nil {
			s.v1Error(w, r, unauthorized(err))
			return
		}
		if !strings.HasPrefix(rest, v1Prefix) {
			s.v1Error(w, r, notFoundf("no such cache API: use ACTIONS_CACHE_URL + %s...", v1Prefix))
			return
		}
		s.serveV1(w, r, c, strings.TrimPrefix(rest, v1Prefix))
	default:
		http.Error(w, "not a cache API path", http.StatusNotFound)
	}
}

// baseURL is how the client reached this server: the signed URLs handed
// out use it, so that they work from wherever the job runs.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// report logs an internal failure unless the client went away.
func (s *Server) report(r *http.Request, err error, internal bool) {
	if internal && r.Context().Err() == nil {
		s.errorLog(fmt.Errorf("cache %s %s: %w", r.Method, redactPath(r.URL.Path), err))
	}
}

// redactPath drops the credential from a v1 path for logs.
func redactPath(p string) string {
	if rest, ok := strings.CutPrefix(p, pathPrefix); ok && !strings.HasPrefix(p, blobPrefix) {
		if _, tail, ok := strings.Cut(rest, "/"); ok {
			return pathPrefix + "***/" + tail
		}
		return pathPrefix + "***"
	}
	return p
}
