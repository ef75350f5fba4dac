package actiontest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// bins builds the anvil binary of this test binary on first use. It is
// package state because one build serves every test of the binary.
var bins testkit.Binaries

// Main runs the tests of m and removes the anvil binary they built. Call
// it from TestMain: os.Exit(actiontest.Main(m)).
func Main(m *testing.M) int {
	return bins.Main(m)
}

// Anvil returns the path of an anvil binary built from this checkout
// (without -race: it only needs to behave like the real one). The first
// call builds it; later calls reuse it.
func Anvil(t testing.TB) string {
	t.Helper()
	return bins.Anvil(t)
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
