package cmd

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/cache"
)

// daemonCache starts the cache the daemon's jobs reach, as the cache:
// section says (nil when it is disabled), and logs where it is.
func daemonCache(ctx context.Context, proc Process, cfg daemonConfig, labels []string, observer cache.Observer, log *logrus.Logger) (*cache.Jobs, error) {
	jc, err := cache.StartJobs(ctx, cfg.Cache, cache.JobsOptions{
		DefaultDir: filepath.Join(defaultWorkdirParent(proc), "cache"),
		Containers: usesDocker(labels),
		ErrorLog:   func(err error) { log.WithError(err).Warn("cache server") },
		Observer:   observer,
	})
	switch {
	case errors.Is(err, cache.ErrDirInUse):
		return nil, fmt.Errorf("%w: give each runner its own cache.dir, or share one anvil cache-server through cache.external_server", err)
	case err != nil:
		return nil, fmt.Errorf("starting the cache server (cache: section): %w", err)
	case jc == nil:
		log.Info("the cache is disabled (cache.enabled: false): actions/cache finds no server")
	case jc.Dir == "":
		log.WithField("url", jc.Base).Info("jobs use the shared cache server")
	default:
		log.WithFields(logrus.Fields{"listen": jc.Listen, "url": jc.Base, "dir": jc.Dir}).Info("cache server started")
	}
	return jc, nil
}
