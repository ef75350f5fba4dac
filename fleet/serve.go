package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"codeberg.org/anvil-ci/anvil/forge"
	"codeberg.org/anvil-ci/anvil/internal/httpserve"
)

// ServeConfig is what Handler serves.
type ServeConfig struct {
	Forge forge.QueueConfig
	// Refresh is how long a reading of the forge is reused.
	Refresh time.Duration
	// RunnerLabels are the labels of the Runner part when a request names
	// none (?runner_labels=a,b).
	RunnerLabels []string
	Now          func() time.Time
}

// Handler serves GET /queue (the Reply as JSON; 502 with {"error": ...}
// when the forge cannot be read) and GET /healthz.
func Handler(c ServeConfig) http.Handler {
	cache := &queueCache{cfg: c.Forge, refresh: c.Refresh, now: c.Now}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /queue", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		jobs, err := cache.get(r.Context())
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
			return
		}
		labels := c.RunnerLabels
		if v := r.URL.Query().Get("runner_labels"); v != "" {
			labels = forge.SplitLabels(v)
		}
		json.NewEncoder(w).Encode(NewReply(jobs, labels, c.Now()))
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	return mux
}

// queueCache reads the forge at most every refresh, whoever asks.
type queueCache struct {
	cfg     forge.QueueConfig
	refresh time.Duration
	now     func() time.Time

	mu   sync.Mutex
	at   time.Time
	jobs []forge.QueuedJob
	err  error
}

func (c *queueCache) get(ctx context.Context) ([]forge.QueuedJob, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() || c.now().Sub(c.at) >= c.refresh {
		c.jobs, c.err = forge.QueuedJobs(ctx, c.cfg)
		c.at = c.now()
	}
	return c.jobs, c.err
}

// Serve serves Handler(c) on ln until ctx ends, then shuts the server
// down, giving requests in flight 5 seconds.
func Serve(ctx context.Context, ln net.Listener, c ServeConfig) error {
	return httpserve.Serve(ctx, ln, Handler(c), "the queue")
}
