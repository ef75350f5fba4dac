package cmd

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/cache"
	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

// TestDaemonExternalCache: with cache.external_server and cache.secret
// the daemon starts no server of its own and its jobs save into the
// shared one.
func TestDaemonExternalCache(t *testing.T) {
	t.Parallel()
	const secret = "the fleet's secret"
	dir := t.TempDir()
	srv, err := cache.Open(t.Context(), cache.Options{Dir: filepath.Join(dir, "shared"), Secret: []byte(secret)})
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Shutdown(context.Background()) })

	forge := forgetest.New(t)
	d := newDaemonDir(t, forge, "cache:\n  external_server: http://"+ln.Addr().String()+"/\n  secret: "+secret+"\n")
	p := startDaemon(t, d)
	rec := waitTask(t, forge, forge.AddTask(forgetest.TaskSpec{WorkflowYAML: cacheJob(t, "self-hosted", "save", "shared", 100)}), "save", reported)
	if rec.Status != forgetest.StatusSuccess || !strings.Contains(rowsOf(rec), "cache saved: shared") {
		t.Fatalf("the job: %s\n%s\ndaemon log:\n%s", rec.Status, rowsOf(rec), p.stderr)
	}
	if n, _ := srv.Usage(); n != 1 {
		t.Errorf("the shared server holds %d entries, want 1", n)
	}
	if !strings.Contains(p.stderr.String(), "jobs use the shared cache server") || strings.Contains(p.stderr.String(), "cache server started") {
		t.Errorf("the daemon's log, want the shared server only:\n%s", p.stderr)
	}
	if _, err := os.Stat(filepath.Join(d.dir, ".cache", "anvil", "cache")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the daemon made a cache directory of its own: %v", err)
	}
}
