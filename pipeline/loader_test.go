package pipeline

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoader reads and parses files as the executor asks for them: a
// missing file is fs.ErrNotExist (the executor then tries action.yaml),
// and a workflow's problems name the file as the executor names it.
func TestLoader(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string) string {
		t.Helper()
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return file
	}
	action := write("action.yml", "name: hello\nruns:\n  using: composite\n  steps: [{run: echo hi, shell: bash}]\n")
	called := write("called.yml", "on: workflow_call\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps: [{run: 'true'}]\n")
	broken := write("broken.yml", "on: workflow_call\njobs:\n  x:\n    steps: [{run: 'true'}]\n")
	missing := filepath.Join(dir, "action.yaml")
	l := Loader{}

	a, err := l.LoadAction(action)
	if err != nil || a.Name != "hello" || a.File != action || len(a.Runs.Steps) != 1 {
		t.Errorf("LoadAction(%s) = %+v, %v; want the composite action hello with one step", action, a, err)
	}
	if _, err := l.LoadAction(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadAction(missing) error = %v, want one wrapping fs.ErrNotExist", err)
	}
	w, err := l.LoadWorkflow(called, ".forgejo/workflows/called.yml")
	if err != nil || w.File != ".forgejo/workflows/called.yml" || len(w.Jobs) != 1 {
		t.Errorf("LoadWorkflow(%s) = %+v, %v; want one job, named by the given name", called, w, err)
	}
	if _, err := l.LoadWorkflow(broken, "broken.yml"); err == nil || !strings.HasPrefix(err.Error(), "broken.yml:") {
		t.Errorf("LoadWorkflow(broken) error = %v, want problems of broken.yml", err)
	}
	if _, err := l.LoadWorkflow(missing, "gone.yml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadWorkflow(missing) error = %v, want one wrapping fs.ErrNotExist", err)
	}
}
