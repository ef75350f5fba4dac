package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/internal/testkit/golden"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

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
			golden.Check(t, strings.TrimSuffix(file, ".yml")+".golden", []byte(b.String()))
			if strings.HasPrefix(name, "valid-") && b.Len() > 0 {
				t.Errorf("Check(%s) found problems in a valid workflow:\n%s", name, b.String())
			}
		})
	}
}
