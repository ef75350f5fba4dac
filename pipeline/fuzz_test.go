package pipeline

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// FuzzParseWorkflow checks that no input makes ParseWorkflow panic, and
// that it returns either a workflow or positioned Errors. Seeds are the
// workflow files in testdata.
func FuzzParseWorkflow(f *testing.F) {
	for _, pattern := range []string{"testdata/parse/*.yml", "testdata/invalid/*.yml", "testdata/bench/*.yml"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := ParseWorkflow("f.yml", data)
		if err == nil {
			if w == nil {
				t.Fatal("ParseWorkflow returned neither a workflow nor an error")
			}
			_, _ = plan.New([]*plan.Workflow{w}, plan.Event{Name: "push", Ref: "refs/heads/main", ChangedFilesKnown: true, ChangedFiles: []string{"a"}})
			for _, j := range w.Jobs {
				if j.Strategy == nil {
					continue
				}
				if m, ok := j.Strategy.Matrix.(map[string]any); ok {
					_, _ = plan.ExpandMatrix(m)
				}
			}
			return
		}
		var problems plan.Errors
		if !errors.As(err, &problems) || len(problems) == 0 {
			t.Fatalf("ParseWorkflow error %T %v, want non-empty Errors", err, err)
		}
		for _, p := range problems {
			if p.Pos.Line < 1 || p.Pos.Column < 1 || p.Message == "" {
				t.Fatalf("problem without position or message: %+v", p)
			}
		}
	})
}

// FuzzParseAction checks that no input makes ParseAction panic.
func FuzzParseAction(f *testing.F) {
	files, err := filepath.Glob("testdata/actions/*/action.yml")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseAction("action.yml", data)
		if (a == nil) == (err == nil) {
			t.Fatalf("ParseAction() = %v, %v; want exactly one of them", a, err)
		}
	})
}
