package cache_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/cache"
)

// ServeDir locks its directory, tells its URL once it answers, and
// returns nil when its context ends; a second ServeDir on the directory
// and an address in use are errors that say so.
func TestServeDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	o := cache.Options{Dir: dir, Secret: testSecret}
	ctx, cancel := context.WithCancel(t.Context())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- cache.ServeDir(ctx, o, "127.0.0.1:0", func(url string, entries int, bytes int64) {
			if entries != 0 || bytes != 0 {
				t.Errorf("a new cache holds %d entries, %d bytes", entries, bytes)
			}
			urls <- url
		})
	}()
	var url string
	select {
	case url = <-urls:
	case err := <-done:
		t.Fatalf("ServeDir() = %v before listening", err)
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/") {
		t.Errorf("URL = %q, want http://127.0.0.1:PORT/", url)
	}
	resp, err := http.Get(url + "_cache/ping")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("ping = %d, want 204", resp.StatusCode)
	}

	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		name string
		o    cache.Options
		addr string
		want func(error) bool
	}{
		{"directory in use", o, "127.0.0.1:0", func(err error) bool { return errors.Is(err, cache.ErrDirInUse) }},
		{"address in use", cache.Options{Dir: t.TempDir(), Secret: o.Secret}, busy.Addr().String(), func(err error) bool {
			return err != nil && strings.Contains(err.Error(), "listening on "+busy.Addr().String())
		}},
	}
	for _, tt := range tests {
		err := cache.ServeDir(t.Context(), tt.o, tt.addr, func(url string, _ int, _ int64) {
			t.Errorf("%s: ServeDir listened on %s", tt.name, url)
		})
		if !tt.want(err) {
			t.Errorf("%s: ServeDir() = %v", tt.name, err)
		}
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ServeDir() after its context ended = %v, want nil", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("ServeDir did not return after its context ended")
	}
}
