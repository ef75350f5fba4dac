package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// FuzzCheck feeds arbitrary files to Check and Outline: they must never
// panic, and every finding must name the file and a real position.
func FuzzCheck(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(lintData, "*.yml"))
	more, _ := filepath.Glob("../testdata/invalid/*.yml")
	for _, file := range append(seeds, more...) {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("on: push\njobs:\n  a: &a\n    runs-on: docker\n    steps: [{run: echo}]\n  b: *a\n  c: *a\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("on: push\njobs:\n  a:\n    runs-on: docker\n    steps:\n      - run: |\n          ${{ forgejo.x\n"))
	l := New(Options{Labels: goldenLabels, Warnings: true})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, p := range l.Check("f.yml", data) {
			if p.Pos.File != "f.yml" || p.Pos.Line < 1 || p.Pos.Column < 1 || p.Rule == "" {
				t.Errorf("finding %+v lacks its file, position or rule", p)
			}
			if p.Severity != plan.SeverityError && p.Severity != plan.SeverityWarning {
				t.Errorf("finding %+v has no severity", p)
			}
			if strings.Contains(p.Message, "\n") && p.Rule != RuleAnvil && p.Rule != "syntax-check" {
				t.Logf("multi-line message: %q", p.Message)
			}
		}
		Outline("f.yml", data)
	})
}
