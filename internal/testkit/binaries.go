package testkit

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sync"
	"testing"
)

// Binaries builds the module's commands that tests run as child
// processes (anvil itself, the jobclient of the artifact and cache
// tests), each at most once per test process, into one temporary
// directory. The zero value is ready to use; declare one per test package
// and call Remove from TestMain after m.Run.
type Binaries struct {
	mu    sync.Mutex
	dir   string
	built map[string]built
}

type built struct {
	path string
	err  error
}

// Anvil returns the path of the anvil binary (./cmd/anvil), building it
// on first use; a failed build fails the test.
func (b *Binaries) Anvil(tb testing.TB) string {
	tb.Helper()
	return b.get(tb, "anvil", "codeberg.org/anvil-ci/anvil/cmd/anvil", false)
}

// JobClient returns the path of internal/jobclient, a job's client of the
// artifact and cache APIs, built statically so that it runs in containers
// too.
func (b *Binaries) JobClient(tb testing.TB) string {
	tb.Helper()
	return b.get(tb, "jobclient", "codeberg.org/anvil-ci/anvil/internal/jobclient", true)
}

// Program returns the path of the module's main package pkg (an import
// path), named after its last element and built on first use like Anvil;
// the benchmarks build their reference programs (cmd/testdata/startref)
// this way.
func (b *Binaries) Program(tb testing.TB, pkg string) string {
	tb.Helper()
	return b.get(tb, "program-"+path.Base(pkg), pkg, false)
}

// Remove deletes the directory of the binaries.
func (b *Binaries) Remove() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dir != "" {
		_ = os.RemoveAll(b.dir)
	}
	b.dir, b.built = "", nil
}

func (b *Binaries) get(tb testing.TB, name, pkg string, static bool) string {
	tb.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.built[name]
	if !ok {
		r = b.build(name, pkg, static)
		if b.built == nil {
			b.built = map[string]built{}
		}
		b.built[name] = r
	}
	if r.err != nil {
		tb.Fatal(r.err)
	}
	return r.path
}

// build runs go build; b.mu is held.
func (b *Binaries) build(name, pkg string, static bool) built {
	if b.dir == "" {
		dir, err := os.MkdirTemp("", "anvil-test-bin-")
		if err != nil {
			return built{err: fmt.Errorf("creating a directory for the test binaries: %w", err)}
		}
		b.dir = dir
	}
	path := filepath.Join(b.dir, name)
	cmd := exec.Command("go", "build", "-o", path, pkg)
	if static {
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return built{err: fmt.Errorf("building %s: %v\n%s", pkg, err, out)}
	}
	return built{path: path}
}
