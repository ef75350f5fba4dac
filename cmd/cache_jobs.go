package cmd

import (
	"context"
	"net/http"

	"codeberg.org/anvil-ci/anvil/cache"
)

// jobCache is a cache.Jobs as anvil exec's services (exec_cache.go) use
// it: stop may be wrapped to remove a temporary directory too.
type jobCache struct {
	*cache.Jobs
	base string
	stop func()
}

// jobCacheOptions are the cache.JobsOptions anvil exec sets.
type jobCacheOptions struct {
	containers bool
	handler    func(cache http.Handler) http.Handler
}

// errCacheDirInUse says that another process serves the cache directory.
var errCacheDirInUse = cache.ErrDirInUse

// startJobCache starts anvil exec's cache (cache.StartJobs).
func startJobCache(ctx context.Context, cfg cache.Config, o jobCacheOptions) (*jobCache, error) {
	j, err := cache.StartJobs(ctx, cfg, cache.JobsOptions{Containers: o.containers, Handler: o.handler})
	if err != nil || j == nil {
		return nil, err
	}
	return &jobCache{Jobs: j, base: j.Base, stop: j.Close}, nil
}

// Close stops the server and what stop was wrapped with.
func (c *jobCache) Close() {
	if c != nil {
		c.stop()
	}
}

func (c *jobCache) credentials(scope cache.Scope) (cache.JobCredentials, error) {
	return c.Credentials(scope)
}

// cacheScope is cache.ScopeOf.
func cacheScope(github map[string]any) cache.Scope { return cache.ScopeOf(github) }

// listenHost is cache.ListenHost (exec's artifact server listens alike).
func listenHost(host string, containers bool) string { return cache.ListenHost(host, containers) }
