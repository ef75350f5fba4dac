package lint

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// update rewrites the golden files instead of comparing with them:
// go test ./pipeline/lint -update
var update = flag.Bool("update", false, "rewrite the golden files in testdata/lint")

// lintData is where the workflows with golden output live.
const lintData = "../../testdata/lint"

// goldenLabels are the runner's labels for the golden cases.
var goldenLabels = []string{"docker", "self-hosted", "ubuntu-latest:docker://node:20-bookworm"}

// TestGolden lints every testdata/lint/*.yml and compares the findings
// with its .golden file: one finding per line, with its severity.
func TestGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(lintData, "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows in %s: %v", lintData, err)
	}
	l := New(Options{Labels: goldenLabels, ConfigVars: []string{"KNOWN"}})
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(strings.TrimSuffix(name, ".yml"), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, f := range l.Check(name, data) {
				b.WriteString(plan.FormatProblem(f.Problem()) + "\n")
			}
			checkGolden(t, strings.TrimSuffix(file, ".yml")+".golden", b.String())
			if strings.HasPrefix(name, "valid-") && b.Len() > 0 {
				t.Errorf("Check(%s) found problems in a valid workflow:\n%s", name, b.String())
			}
		})
	}
}

// checkGolden compares got with the golden file at path, or rewrites it
// with -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test ./pipeline/lint -update to create it): %v", err)
	}
	if diff := cmp.Diff(got, string(want)); diff != "" {
		t.Errorf("findings differ from %s (-got +want); run go test ./pipeline/lint -update if intended:\n%s", path, diff)
	}
}
