package actiontest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// binary is the anvil binary of this test binary, built on first use.
// It is package state because one build serves every test of the binary.
var binary struct {
	sync.Mutex
	dir  string // set by Main
	path string
	err  error
	done bool
}

// Main runs the tests of m and removes the anvil binary they built. Call
// it from TestMain: os.Exit(actiontest.Main(m)).
func Main(m *testing.M) int {
	dir, err := os.MkdirTemp("", "anvil-actiontest-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "actiontest: creating a directory for the anvil binary: %v\n", err)
		return 1
	}
	binary.Lock()
	binary.dir = dir
	binary.Unlock()
	code := m.Run()
	os.RemoveAll(dir)
	return code
}

// Anvil returns the path of an anvil binary built from this checkout
// (without -race: it only needs to behave like the real one). The first
// call builds it; later calls reuse it.
func Anvil(t testing.TB) string {
	t.Helper()
	binary.Lock()
	defer binary.Unlock()
	if binary.dir == "" {
		t.Fatal("actiontest: the anvil binary needs a home: call actiontest.Main from the package's TestMain")
	}
	if !binary.done {
		binary.done = true
		binary.path, binary.err = build(t, binary.dir)
	}
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

// build runs go build for cmd/anvil into dir.
func build(t testing.TB, dir string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "anvil")
	cmd := exec.CommandContext(t.Context(), "go", "build", "-o", out, "./cmd/anvil")
	cmd.Dir = root
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("actiontest: building anvil: %v\n%s", err, msg)
	}
	return out, nil
}

// ModuleRoot returns the directory of the anvil module (the repository).
func ModuleRoot(t testing.TB) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("actiontest: go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("actiontest: not inside the anvil module (go env GOMOD is %q)", mod)
	}
	return filepath.Dir(mod), nil
}
