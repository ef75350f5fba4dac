package localrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	"codeberg.org/anvil-ci/anvil/cache"
	"codeberg.org/anvil-ci/anvil/executor"
)

// CacheOptions are anvil exec's flags about its cache server (act's names).
type CacheOptions struct {
	// Path is where entries are kept across runs ("" for the default).
	Path string
	// Addr and Port are where jobs reach it.
	Addr string
	Port uint16
	// Off starts no cache server.
	Off bool
}

// Cache is a cache server the run started for its jobs.
type Cache interface {
	// Base is the URL jobs are given, http://host:port.
	Base() string
	// Credentials are the credentials of the jobs of the run whose github
	// context is github.
	Credentials(github map[string]any) (cache.JobCredentials, error)
	// Close stops the server.
	Close()
}

// ServiceConfig is what StartServices needs.
type ServiceConfig struct {
	Cache     CacheOptions
	Artifacts ArtifactOptions
	// Github is the run's github context (repository, ref, run_id).
	Github map[string]any
	// Containers says that jobs may run in containers.
	Containers bool
	// DefaultCacheDir is the entries' directory without Cache.Path; ""
	// gives the run a temporary one.
	DefaultCacheDir string
	// StartCache starts the cache server.
	// Stderr gets the notes for the user.
	Stderr io.Writer
}

// Services are the services anvil exec runs for its jobs while they run:
// the cache server and, with --artifact-server-path, the artifact server,
// both on one listener. Runtime is what every job is given to reach them.
type Services struct {
	Runtime executor.Runtime
	// RunID is the github.run_id the jobs must get ("" keeps the one
	// planned): the artifact server's run.
	RunID string
	cache Cache
	stop  []func()
}

// StartServices starts the cache server and the artifact server of the
// run. Without a cache directory, or when another anvil exec uses it, the
// run gets a temporary one.
func StartServices(ctx context.Context, c ServiceConfig) (*Services, error) {
	s := &Services{Runtime: executor.Runtime{Env: map[string]string{}}}
	gh := c.Github
	runID, _ := strconv.ParseInt(str(gh["run_id"]), 10, 64)
	art, err := newLocalArtifacts(c.Artifacts, str(gh["repository"]), runID)
	if err != nil {
		return nil, err
	}
	if art != nil {
		s.RunID = strconv.FormatInt(art.runID, 10)
		s.Runtime.Credentials = append(s.Runtime.Credentials, art.token)
	}
	if c.Cache.Off {
		if art != nil {
			base, stop, err := serveArtifactsAlone(art, c.Artifacts.Addr, c.Artifacts.Port, c.Containers)
			if err != nil {
				return nil, err
			}
			s.stop = append(s.stop, stop)
			maps.Copy(s.Runtime.Env, art.env(base))
		}
		return s, nil
	}
	cfg := cache.Config{Dir: c.Cache.Path, Host: c.Cache.Addr, Port: c.Cache.Port}
	if cfg.Dir == "" {
		cfg.Dir = c.DefaultCacheDir
	}
	var shared *sharedListener
	var handler func(http.Handler) http.Handler
	if art != nil {
		if cfg.Host, cfg.Port, err = sharedAddress(c.Cache, c.Artifacts); err != nil {
			return nil, err
		}
		shared = &sharedListener{artifacts: art}
		handler = shared.handler
	}
	var jc Cache
	if cfg.Dir != "" {
		jc, err = startCache(ctx, cfg, c.Containers, handler)
	}
	if cfg.Dir == "" || errors.Is(err, cache.ErrDirInUse) {
		tmp, terr := os.MkdirTemp("", "anvil-exec-cache-")
		if terr != nil {
			return nil, fmt.Errorf("creating a temporary cache directory: %w", terr)
		}
		if err != nil {
			fmt.Fprintf(c.Stderr, "note: %v: this run's cache starts empty and is dropped at its end (or pass --cache-server-path)\n", err)
		}
		cfg.Dir = tmp
		if jc, err = startCache(ctx, cfg, c.Containers, handler); err != nil {
			os.RemoveAll(tmp)
		} else {
			s.stop = append(s.stop, func() { os.RemoveAll(tmp) })
		}
	}
	if err != nil {
		return nil, usageErrorf("starting the cache server: %w (or pass --no-cache-server)", err)
	}
	s.cache = jc
	if art != nil {
		maps.Copy(s.Runtime.Env, art.env(jc.Base()))
	}
	creds, err := jc.Credentials(gh)
	if err != nil {
		if art == nil {
			jc.Close()
			s.cache = nil
		}
		fmt.Fprintf(c.Stderr, "note: jobs get no cache: %v\n", err)
		return s, nil
	}
	s.Runtime.Env["ACTIONS_CACHE_URL"] = creds.CacheURL
	s.Runtime.Credentials = append(s.Runtime.Credentials, creds.Token)
	if shared != nil {
		// ACTIONS_RESULTS_URL and ACTIONS_RUNTIME_TOKEN are the artifact
		// server's; the listener lets that token into the cache's v2 API.
		shared.cacheToken.Store(&creds.Token)
		return s, nil
	}
	// No forge or artifact server owns ACTIONS_RESULTS_URL and
	// ACTIONS_RUNTIME_TOKEN here: they are the cache's, for its v2 API.
	s.Runtime.Env["ACTIONS_RESULTS_URL"] = creds.ResultsURL
	s.Runtime.Env["ACTIONS_RUNTIME_TOKEN"] = creds.Token
	return s, nil
}

// sharedAddress is the host and port of the listener the cache and the
// artifact server share: the artifact server's flags where given, else
// the cache server's. Two different values cannot both be had.
func sharedAddress(c CacheOptions, a ArtifactOptions) (string, uint16, error) {
	host, port := c.Addr, c.Port
	if a.Addr != "" {
		if host != "" && host != a.Addr {
			return "", 0, usageErrorf("--artifact-server-addr %s and --cache-server-addr %s: jobs reach both servers at one address; give one of them", a.Addr, host)
		}
		host = a.Addr
	}
	if a.Port != 0 {
		if port != 0 && port != a.Port {
			return "", 0, usageErrorf("--artifact-server-port %d and --cache-server-port %d: jobs reach both servers at one port; give one of them", a.Port, port)
		}
		port = a.Port
	}
	return host, port, nil
}

// DefaultCacheDir is $XDG_CACHE_HOME/anvil/exec-cache, else
// $HOME/.cache/anvil/exec-cache; "" (a directory of the run's own) when
// neither is set.
func DefaultCacheDir(getenv func(string) string) string {
	if x := getenv("XDG_CACHE_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "anvil", "exec-cache")
	}
	if h := getenv("HOME"); filepath.IsAbs(h) {
		return filepath.Join(h, ".cache", "anvil", "exec-cache")
	}
	return ""
}

// Close stops the services.
func (s *Services) Close() {
	if s.cache != nil {
		s.cache.Close()
	}
	for _, stop := range s.stop {
		stop()
	}
}

// str returns v when it is a string, else "".
func str(v any) string {
	s, _ := v.(string)
	return s
}

// jobsCache is the cache server of a run, as Services use it.
type jobsCache struct{ *cache.Jobs }

func (j jobsCache) Base() string { return j.Jobs.Base }

func (j jobsCache) Credentials(github map[string]any) (cache.JobCredentials, error) {
	return j.Jobs.Credentials(cache.ScopeOf(github))
}

// startCache starts the run's cache server as cfg says, listening on every
// interface when containers is set and serving handler(the cache's
// handler) when handler is set.
func startCache(ctx context.Context, cfg cache.Config, containers bool, handler func(http.Handler) http.Handler) (Cache, error) {
	j, err := cache.StartJobs(ctx, cfg, cache.JobsOptions{Containers: containers, Handler: handler})
	if err != nil {
		return nil, err
	}
	return jobsCache{j}, nil
}
