package console

import (
	"path/filepath"
	"testing"

	"codeberg.org/anvil-ci/anvil/internal/testkit/golden"
)

// checkGolden compares got with testdata/name (go test -update rewrites it).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got)
}
