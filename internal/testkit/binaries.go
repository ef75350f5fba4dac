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
// and call its Main from TestMain, so that the binaries are removed.
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
	return b.get(tb, "anvil", "codeberg.org/anvil-ci/anvil/cmd/anvil", plain)
}

// AnvilStatic returns the path of anvil built as make static builds it
// for the container image: CGO_ENABLED=0, -trimpath, -ldflags '-s -w'.
// It shares few compiled packages with the other builds, so a cold build
// takes minutes on a busy machine: call it before starting any deadline.
func (b *Binaries) AnvilStatic(tb testing.TB) string {
	tb.Helper()
	return b.get(tb, "anvil-static", "codeberg.org/anvil-ci/anvil/cmd/anvil", release)
}

// JobClient returns the path of internal/jobclient, a job's client of the
// artifact and cache APIs, built statically so that it runs in containers
// too.
func (b *Binaries) JobClient(tb testing.TB) string {
	tb.Helper()
	return b.get(tb, "jobclient", "codeberg.org/anvil-ci/anvil/internal/jobclient", static)
}

// Program returns the path of the module's main package pkg (an import
// path), named after its last element and built on first use like Anvil;
// the benchmarks build their reference programs (cmd/testdata/startref)
// this way.
func (b *Binaries) Program(tb testing.TB, pkg string) string {
	tb.Helper()
	return b.get(tb, "program-"+path.Base(pkg), pkg, plain)
}

// Main runs the tests of m, then removes the binaries they built; call it
// from TestMain: os.Exit(bins.Main(m)).
func (b *Binaries) Main(m *testing.M) int {
	code := m.Run()
	b.Remove()
	return code
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

// buildKind is how a binary is built.
type buildKind int

const (
	plain   buildKind = iota // go build
	static                   // CGO_ENABLED=0: runs in containers without a C library
	release                  // static, -trimpath, -ldflags '-s -w': make static
)

func (b *Binaries) get(tb testing.TB, name, pkg string, kind buildKind) string {
	tb.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.built[name]
	if !ok {
		r = b.build(name, pkg, kind)
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
func (b *Binaries) build(name, pkg string, kind buildKind) built {
	if b.dir == "" {
		dir, err := os.MkdirTemp("", "anvil-test-bin-")
		if err != nil {
			return built{err: fmt.Errorf("creating a directory for the test binaries: %w", err)}
		}
		b.dir = dir
	}
	path := filepath.Join(b.dir, name)
	args := []string{"build", "-o", path}
	if kind == release {
		args = append(args, "-trimpath", "-ldflags", "-s -w")
	}
	cmd := exec.Command("go", append(args, pkg)...)
	if kind != plain {
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return built{err: fmt.Errorf("building %s: %v\n%s", pkg, err, out)}
	}
	return built{path: path}
}
