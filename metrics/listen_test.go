package metrics_test

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/metrics"
)

// Start serves the registry, /healthz and /readyz over HTTP until stop,
// which closes the listener; onError hears nothing of a stop.
func TestServerStart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		ready     func() error
		wantCode  int
		wantReady string
	}{
		{"always ready", nil, http.StatusOK, "ready\n"},
		{"ready", func() error { return nil }, http.StatusOK, "ready\n"},
		{"stopping", func() error { return errors.New("the runner is stopping") }, http.StatusServiceUnavailable, "not ready: the runner is stopping\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := metrics.Listen("127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			metrics.NewCache(s.Registry).Lookup(true)
			var stopErr error
			stop := s.Start(tt.ready, func(err error) { stopErr = err })
			base := "http://" + s.Addr()
			for _, want := range []struct {
				path string
				code int
				body string
			}{
				{"/healthz", http.StatusOK, "ok\n"},
				{"/readyz", tt.wantCode, tt.wantReady},
				{"/metrics", http.StatusOK, `anvil_cache_lookups_total{result="hit"} 1` + "\n"},
			} {
				resp, err := http.Get(base + want.path)
				if err != nil {
					t.Fatalf("GET %s: %v", want.path, err)
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != want.code || !strings.Contains(string(body), want.body) {
					t.Errorf("GET %s = %d %q (%v), want %d with %q", want.path, resp.StatusCode, body, err, want.code, want.body)
				}
			}
			stop()
			if stopErr != nil {
				t.Errorf("onError(%v) after stop", stopErr)
			}
			if _, err := http.Get(base + "/healthz"); err == nil {
				t.Errorf("the server still answers after stop")
			}
		})
	}
}

// A port in use is Listen's error, before anything is served.
func TestListenAddressInUse(t *testing.T) {
	t.Parallel()
	s, err := metrics.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Start(nil, nil)()
	_, err = metrics.Listen(s.Addr())
	if err == nil {
		t.Fatalf("Listen(%s) in use = nil error", s.Addr())
	}
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "listen" {
		t.Errorf("Listen(%s) in use = %v, want net.Listen's error", s.Addr(), err)
	}
}
