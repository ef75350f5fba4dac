package localrun

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/pipeline/lint"
)

// writeWorkflows writes files (name relative to dir: content) and returns dir.
func writeWorkflows(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const (
	goodWorkflow = "on: push\njobs:\n  build:\n    runs-on: linux\n    steps: [{run: make}]\n"
	// badWorkflow has a job whose step has neither run nor uses.
	badWorkflow = "on: push\njobs:\n  test:\n    runs-on: linux\n    steps: [{name: nothing}]\n"
)

func TestLint(t *testing.T) {
	t.Parallel()
	dir := writeWorkflows(t, map[string]string{
		".forgejo/workflows/ci.yml":  goodWorkflow,
		".forgejo/workflows/bad.yml": badWorkflow,
		"other/ci.yml":               goodWorkflow,
	})
	tests := []struct {
		name      string
		paths     []string
		opts      lint.Options
		wantFiles int
		wantBad   int
		wantIn    string // a finding's file
		wantUsage string
	}{
		{name: "the workflow directory", wantFiles: 2, wantBad: 1, wantIn: ".forgejo/workflows/bad.yml"},
		{name: "one file", paths: []string{filepath.Join(dir, "other/ci.yml")}, wantFiles: 1},
		{name: "runs-on against labels", paths: []string{filepath.Join(dir, "other/ci.yml")}, opts: lint.Options{Labels: []string{"docker"}},
			wantFiles: 1, wantBad: 1, wantIn: "other/ci.yml"},
		{name: "a path that is not there", paths: []string{filepath.Join(dir, "nope.yml")}, wantUsage: "nope.yml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Lint(dir, tt.paths, tt.opts)
			if tt.wantUsage != "" {
				var ue *UsageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.wantUsage) {
					t.Fatalf("Lint = %v, want a usage error with %q", err, tt.wantUsage)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Files != tt.wantFiles || got.Bad != tt.wantBad {
				t.Errorf("Lint checked %d files, %d with findings; want %d, %d: %+v", got.Files, got.Bad, tt.wantFiles, tt.wantBad, got.Findings)
			}
			if tt.wantIn != "" && (len(got.Findings) == 0 || got.Findings[0].Pos.File != tt.wantIn) {
				t.Errorf("findings %+v, want one in %s", got.Findings, tt.wantIn)
			}
		})
	}
}
