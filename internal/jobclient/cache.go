package main

import (
	"context"
	"fmt"
	"io"

	"codeberg.org/anvil-ci/anvil/cache/cachetest"
)

// cacheVersion is the version of every entry jobclient saves (actions/cache
// derives it from the paths and the compression).
const cacheVersion = "anvil-jobclient-1"

// runCache saves file as entry key, or restores key into file, over the
// cache API v1 (ACTIONS_CACHE_URL) or v2 (ACTIONS_RESULTS_URL and
// ACTIONS_RUNTIME_TOKEN), and says what happened on out.
func runCache(ctx context.Context, out io.Writer, cmd, api, key, file string, getenv func(string) string) error {
	c := cachetest.Env(map[string]string{
		"ACTIONS_CACHE_URL":     getenv("ACTIONS_CACHE_URL"),
		"ACTIONS_RESULTS_URL":   getenv("ACTIONS_RESULTS_URL"),
		"ACTIONS_RUNTIME_TOKEN": getenv("ACTIONS_RUNTIME_TOKEN"),
	})
	if api == "v1" && c.CacheURL == "" {
		return fmt.Errorf("%s %s: no ACTIONS_CACHE_URL: the runner gives jobs no cache server", cmd, key)
	}
	var err error
	switch {
	case cmd == "cache-save" && api == "v1":
		_, err = c.SaveV1(ctx, key, cacheVersion, file)
	case cmd == "cache-save":
		_, err = c.SaveV2(ctx, key, cacheVersion, file)
	default:
		var hit string
		if api == "v1" {
			hit, err = c.RestoreV1(ctx, []string{key}, cacheVersion, file)
		} else {
			hit, err = c.RestoreV2(ctx, key, nil, cacheVersion, file)
		}
		if err == nil && hit == "" {
			_, err = fmt.Fprintf(out, "cache miss: %s\n", key)
			return err
		}
		if err == nil {
			_, err = fmt.Fprintf(out, "cache hit: %s\n", hit)
			return err
		}
	}
	if err != nil {
		return fmt.Errorf("%s %s %s: %w", cmd, api, key, err)
	}
	_, err = fmt.Fprintf(out, "cache saved: %s\n", key)
	return err
}
