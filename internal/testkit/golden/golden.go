// Package golden compares test output with golden files, and rewrites
// them when the test binary runs with -update:
//
//	go test ./pipeline/... -update
//
// Importing it registers that one flag; packages with golden files use
// Check and declare no flag of their own. Test support only.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files with the tests' current output instead of comparing with them")

// Updating reports whether the test binary runs with -update, for a
// comparison Check cannot make (a golden file that several cases share
// and only one may rewrite).
func Updating() bool { return *update }

// Check compares got with the golden file at path and fails the test with
// the difference (-got +want). With -update it writes got to path
// instead, creating its directory.
func Check(tb testing.TB, path string, got []byte) {
	tb.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatalf("writing the golden file: %v", err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatalf("writing the golden file: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("reading the golden file (go test -run '^%s$' -update writes it): %v", topLevel(tb), err)
	}
	if diff := cmp.Diff(string(got), string(want)); diff != "" {
		tb.Errorf("%s differs (-got +want); if the change is intended, rewrite it with go test -run '^%s$' -update:\n%s", path, topLevel(tb), diff)
	}
}

// topLevel is the name of the top-level test of tb, for -run.
func topLevel(tb testing.TB) string {
	name, _, _ := strings.Cut(tb.Name(), "/")
	return name
}
