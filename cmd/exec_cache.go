package cmd

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"codeberg.org/anvil-ci/anvil/cache"
	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// cacheFlags are anvil exec's flags about its cache server (act's names).
type cacheFlags struct {
	path string
	addr string
	port uint16
	off  bool
}

func (c *cacheFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&c.path, "cache-server-path", "", "where actions/cache entries are kept across runs (default: $XDG_CACHE_HOME/anvil/exec-cache or ~/.cache/anvil/exec-cache)")
	fs.StringVar(&c.addr, "cache-server-addr", "", "the address jobs reach the cache server at (default: 127.0.0.1, and the gateway of their network for container jobs)")
	fs.Uint16Var(&c.port, "cache-server-port", 0, "the port of the cache server (default: any free port)")
	fs.BoolVar(&c.off, "no-cache-server", false, "start no cache server: jobs get no ACTIONS_CACHE_URL")
}

// execServices are the services anvil exec runs for its jobs while they
// run: the cache server and, with --artifact-server-path, the artifact
// server, both on one listener. runtime is what every job is given to
// reach them.
type execServices struct {
	runtime executor.Runtime
	// runID is the github.run_id the jobs must get ("" keeps the one
	// planned): the artifact server's run.
	runID string
	cache *jobCache
	stop  func()
}

// startExecServices starts exec's cache server and artifact server for
// the run whose github context is gh. containers says that jobs may run in
// containers. Without XDG_CACHE_HOME or HOME, or when another anvil exec
// uses the cache directory, the run gets a temporary one.
func startExecServices(ctx context.Context, proc Process, c cacheFlags, a artifactFlags, gh map[string]any, containers bool) (*execServices, error) {
	s := &execServices{runtime: executor.Runtime{Env: map[string]string{}}, stop: func() {}}
	runID, _ := strconv.ParseInt(str(gh["run_id"]), 10, 64)
	art, err := newLocalArtifacts(a, str(gh["repository"]), runID)
	if err != nil {
		return nil, err
	}
	if art != nil {
		s.runID = strconv.FormatInt(art.runID, 10)
		s.runtime.Credentials = append(s.runtime.Credentials, art.token)
	}
	if c.off {
		if art != nil {
			base, stop, err := serveArtifactsAlone(art, a.addr, a.port, containers)
			if err != nil {
				return nil, err
			}
			s.stop = stop
			maps.Copy(s.runtime.Env, art.env(base))
		}
		return s, nil
	}
	cfg := cache.Config{Dir: c.path, Host: c.addr, Port: c.port}
	if cfg.Dir == "" {
		cfg.Dir = defaultExecCache(proc)
	}
	opts := jobCacheOptions{containers: containers}
	var shared *sharedListener
	if art != nil {
		if cfg.Host, cfg.Port, err = sharedAddress(c, a); err != nil {
			return nil, err
		}
		shared = &sharedListener{artifacts: art}
		opts.handler = shared.handler
	}
	var jc *jobCache
	if cfg.Dir != "" {
		jc, err = startJobCache(ctx, cfg, opts)
	}
	if cfg.Dir == "" || errors.Is(err, errCacheDirInUse) {
		tmp, terr := os.MkdirTemp("", "anvil-exec-cache-")
		if terr != nil {
			return nil, fmt.Errorf("creating a temporary cache directory: %w", terr)
		}
		if err != nil {
			fmt.Fprintf(proc.Stderr, "note: %v: this run's cache starts empty and is dropped at its end (or pass --cache-server-path)\n", err)
		}
		cfg.Dir = tmp
		if jc, err = startJobCache(ctx, cfg, opts); err != nil {
			os.RemoveAll(tmp)
		} else {
			stop := jc.stop
			jc.stop = func() { stop(); os.RemoveAll(tmp) }
		}
	}
	if err != nil {
		return nil, usageErrorf("starting the cache server: %w (or pass --no-cache-server)", err)
	}
	s.cache = jc
	if art != nil {
		maps.Copy(s.runtime.Env, art.env(jc.base))
	}
	creds, err := jc.credentials(cacheScope(gh))
	if err != nil {
		if art == nil {
			jc.Close()
			s.cache = nil
		}
		fmt.Fprintf(proc.Stderr, "note: jobs get no cache: %v\n", err)
		return s, nil
	}
	s.runtime.Env["ACTIONS_CACHE_URL"] = creds.CacheURL
	s.runtime.Credentials = append(s.runtime.Credentials, creds.Token)
	if shared != nil {
		// ACTIONS_RESULTS_URL and ACTIONS_RUNTIME_TOKEN are the artifact
		// server's; the listener lets that token into the cache's v2 API.
		shared.cacheToken.Store(&creds.Token)
		return s, nil
	}
	// No forge or artifact server owns ACTIONS_RESULTS_URL and
	// ACTIONS_RUNTIME_TOKEN here: they are the cache's, for its v2 API.
	s.runtime.Env["ACTIONS_RESULTS_URL"] = creds.ResultsURL
	s.runtime.Env["ACTIONS_RUNTIME_TOKEN"] = creds.Token
	return s, nil
}

// sharedAddress is the host and port of the listener the cache and the
// artifact server share: the artifact server's flags where given, else
// the cache server's. Two different values cannot both be had.
func sharedAddress(c cacheFlags, a artifactFlags) (string, uint16, error) {
	host, port := c.addr, c.port
	if a.addr != "" {
		if host != "" && host != a.addr {
			return "", 0, usageErrorf("--artifact-server-addr %s and --cache-server-addr %s: jobs reach both servers at one address; give one of them", a.addr, host)
		}
		host = a.addr
	}
	if a.port != 0 {
		if port != 0 && port != a.port {
			return "", 0, usageErrorf("--artifact-server-port %d and --cache-server-port %d: jobs reach both servers at one port; give one of them", a.port, port)
		}
		port = a.port
	}
	return host, port, nil
}

// defaultExecCache is $XDG_CACHE_HOME/anvil/exec-cache, else
// $HOME/.cache/anvil/exec-cache; "" (a directory of the run's own) when
// neither is set.
func defaultExecCache(proc Process) string {
	if x := proc.getenv("XDG_CACHE_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "anvil", "exec-cache")
	}
	if h := proc.getenv("HOME"); filepath.IsAbs(h) {
		return filepath.Join(h, ".cache", "anvil", "exec-cache")
	}
	return ""
}

// Close stops the services.
func (s *execServices) Close() {
	s.cache.Close()
	s.stop()
}

// mayUseContainers reports whether a job of the plan may run in a
// container: a -P label maps to docker://, or a job has a container or
// services.
func mayUseContainers(p platforms, pl *plan.Plan) bool {
	for _, target := range p.labels {
		if strings.HasPrefix(target, "docker://") {
			return true
		}
	}
	for _, wf := range pl.Workflows {
		for _, j := range wf.Jobs {
			if j.Container != nil || len(j.Services) > 0 {
				return true
			}
		}
	}
	return false
}
