package golden_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/internal/testkit"
	"codeberg.org/anvil-ci/anvil/internal/testkit/golden"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "out.golden")
	if err := os.WriteFile(file, []byte("one\ntwo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		path      string
		got       string
		wantFatal bool
		wantError string
	}{
		{name: "same", path: file, got: "one\ntwo\n"},
		{name: "different", path: file, got: "one\nthree\n", wantError: "out.golden differs (-got +want)"},
		{name: "missing", path: filepath.Join(dir, "none.golden"), got: "x", wantFatal: true, wantError: "-update writes it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := testkit.Record(t, func(tb testing.TB) { golden.Check(tb, tt.path, []byte(tt.got)) })
			errs := strings.Join(r.Errors(), "\n")
			if r.Fataled() != tt.wantFatal || (tt.wantError == "") != (errs == "") || !strings.Contains(errs, tt.wantError) {
				t.Errorf("Check reported fatal=%t %q, want fatal=%t and %q", r.Fataled(), errs, tt.wantFatal, tt.wantError)
			}
		})
	}
}
