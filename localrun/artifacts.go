package localrun

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"codeberg.org/anvil-ci/anvil/artifacts"
	"codeberg.org/anvil-ci/anvil/cache"
)

// ArtifactOptions are act's flags for the local artifact server.
type ArtifactOptions struct {
	// Path is --artifact-server-path: "" serves no artifacts.
	Path string
	// Addr and Port are where jobs reach it (shared with the cache).
	Addr string
	Port uint16
}

// localArtifacts is the artifact server of one anvil exec run.
type localArtifacts struct {
	handler http.Handler
	// token is the run's ACTIONS_RUNTIME_TOKEN: a JWT naming runID.
	token string
	// runID is the github.run_id every job of the run must get: v3
	// clients put GITHUB_RUN_ID into their URLs, and artifacts belong to
	// their run.
	runID int64
}

// newLocalArtifacts makes the artifact server of a run of repository when
// --artifact-server-path is set; otherwise it returns nil. Each run keeps
// its artifacts in a directory of its own, DIR/RUN_ID, with RUN_ID the
// first free id from runID on (runs started in the same second get the
// next ones), so runs that reuse DIR never see each other's artifacts, as
// on a forge, where an artifact belongs to its run. The index of a run's
// artifacts lives as long as the run.
func newLocalArtifacts(f ArtifactOptions, repository string, runID int64) (*localArtifacts, error) {
	if f.Path == "" {
		return nil, nil
	}
	id, dir, err := claimRunDir(f.Path, runID)
	if err != nil {
		return nil, usageErrorf("--artifact-server-path %s: %w", f.Path, err)
	}
	tokens, err := artifacts.NewLocalTokens(repository)
	if err != nil {
		return nil, err
	}
	srv, err := artifacts.New(artifacts.Config{Dir: dir, Authorizer: tokens})
	if err != nil {
		return nil, usageErrorf("--artifact-server-path %s: %w", f.Path, err)
	}
	return &localArtifacts{handler: srv.Handler(), token: tokens.Token(id, 1), runID: id}, nil
}

// claimRunDir creates parent/ID for the first ID from runID on that no
// other run has, and returns both. Creating the directory is the claim,
// so two anvil exec processes never get the same one.
func claimRunDir(parent string, runID int64) (int64, string, error) {
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return 0, "", fmt.Errorf("creating the artifact directory: %w", err)
	}
	for id := runID; id < runID+1000; id++ {
		dir := filepath.Join(parent, strconv.FormatInt(id, 10))
		err := os.Mkdir(dir, 0o700)
		if err == nil {
			return id, dir, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return 0, "", fmt.Errorf("creating the run's artifact directory: %w", err)
		}
	}
	return 0, "", fmt.Errorf("the run ids %d to %d all have artifact directories; remove old runs' directories", runID, runID+999)
}

// env is what every job of the run gets to reach the server at base
// (http://host:port): ACTIONS_RUNTIME_URL (v3), ACTIONS_RESULTS_URL (v4)
// and ACTIONS_RUNTIME_TOKEN.
func (a *localArtifacts) env(base string) map[string]string {
	return map[string]string{
		"ACTIONS_RUNTIME_URL":   base + artifacts.V3Prefix,
		"ACTIONS_RESULTS_URL":   base,
		"ACTIONS_RUNTIME_TOKEN": a.token,
	}
}

// sharedListener routes the one listener jobs reach exec's services at:
// the artifact APIs to the artifact server, everything else to the cache.
// ACTIONS_RESULTS_URL and ACTIONS_RUNTIME_TOKEN serve both the artifact
// API v4 and the cache's v2 API, and upload-artifact@v4 reads its run and
// job ids from the token, so jobs get the artifact server's JWT; a request
// that carries it as its bearer token gets the run's cache credential in
// its place before the cache sees it. Nothing else changes hands: a
// request with any other token reaches the cache as it came.
type sharedListener struct {
	artifacts  *localArtifacts
	cacheToken atomic.Pointer[string] // set once the cache has issued it
}

// handler is jobCacheOptions.handler: the mux of the listener.
func (s *sharedListener) handler(cache http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(artifacts.V3Prefix, s.artifacts.handler)
	mux.Handle(artifacts.V4Prefix, s.artifacts.handler)
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := s.cacheToken.Load(); tok != nil && r.Header.Get("Authorization") == "Bearer "+s.artifacts.token {
			r = r.Clone(r.Context())
			r.Header.Set("Authorization", "Bearer "+*tok)
		}
		cache.ServeHTTP(w, r)
	}))
	return mux
}

// serveArtifactsAlone serves the artifact server on a listener of its own
// (with --no-cache-server) until stop: on addr:port, on every interface
// when jobs may run in containers. base is the URL jobs are given.
func serveArtifactsAlone(a *localArtifacts, addr string, port uint16, containers bool) (base string, stop func(), err error) {
	listen := net.JoinHostPort(cache.ListenHost(addr, containers), strconv.Itoa(int(port)))
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return "", nil, usageErrorf("starting the artifact server on %s: %w; choose another --artifact-server-port or --artifact-server-addr", listen, err)
	}
	hs := &http.Server{Handler: a.handler, ReadHeaderTimeout: 30 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = hs.Serve(ln) // returns ErrServerClosed when stop shuts it down
	}()
	if addr == "" {
		addr = "127.0.0.1"
	}
	base = "http://" + net.JoinHostPort(addr, strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
	return base, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := hs.Shutdown(ctx); err != nil {
			_ = hs.Close()
		}
		<-done
	}, nil
}
