package docker

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/docker/docker/client"

	"codeberg.org/anvil-ci/anvil/executor"
)

// pingTimeout bounds the first contact with the Docker engine.
const pingTimeout = 10 * time.Second

// Lazy is a Backend that connects to the Docker engine the first time a
// job needs it, so that runs without containers never touch Docker. Its
// methods are safe for concurrent use.
type Lazy struct {
	host string
	cfg  Config

	once    sync.Once
	cli     *client.Client
	backend *Backend
	err     error
}

// NewLazy returns a Lazy backend for the engine at host (DefaultHost when
// empty) with cfg.
func NewLazy(host string, cfg Config) *Lazy {
	return &Lazy{host: host, cfg: cfg}
}

// Backend connects and pings the engine on first use and returns the
// backend, or the first attempt's error ever after.
func (l *Lazy) Backend() (executor.Backend, error) {
	l.once.Do(func() {
		cli, err := NewClient(l.host)
		if err != nil {
			l.err = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
		defer cancel()
		if _, err := cli.Ping(ctx); err != nil {
			cli.Close()
			host := l.host
			if host == "" {
				host = DefaultHost
			}
			l.err = fmt.Errorf("no Docker engine reachable at %s: %w; start Docker, set DOCKER_HOST, or map the label to host", host, err)
			return
		}
		l.cli, l.backend = cli, New(cli, l.cfg)
	})
	if l.err != nil {
		return nil, l.err
	}
	return l.backend, nil
}

// Close closes the client if Backend connected one.
func (l *Lazy) Close() {
	if l.cli != nil {
		l.cli.Close()
	}
}
