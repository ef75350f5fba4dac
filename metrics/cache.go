package metrics

import "github.com/prometheus/client_golang/prometheus"

// Cache holds a cache server's metrics; it implements cache.Observer.
type Cache struct {
	lookups *prometheus.CounterVec
	bytes   *prometheus.CounterVec
}

// NewCache registers a cache server's metrics on reg.
func NewCache(reg prometheus.Registerer) *Cache {
	c := &Cache{
		lookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "anvil_cache_lookups_total",
			Help: "Cache restores, by result: hit (an entry matched) or miss.",
		}, []string{"result"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "anvil_cache_bytes_total",
			Help: "Bytes of cache entries transferred, by direction (upload, download).",
		}, []string{"direction"}),
	}
	c.lookups.WithLabelValues("hit")
	c.lookups.WithLabelValues("miss")
	c.bytes.WithLabelValues("upload")
	c.bytes.WithLabelValues("download")
	reg.MustRegister(c.lookups, c.bytes)
	return c
}

// Lookup counts a hit or a miss.
func (c *Cache) Lookup(hit bool) {
	if hit {
		c.lookups.WithLabelValues("hit").Inc()
		return
	}
	c.lookups.WithLabelValues("miss").Inc()
}

// Transferred counts n bytes in direction.
func (c *Cache) Transferred(direction string, n int64) {
	if n > 0 {
		c.bytes.WithLabelValues(direction).Add(float64(n))
	}
}
