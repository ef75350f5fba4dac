package pipeline

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// update rewrites golden files instead of comparing with them:
// go test ./pipeline -update
var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// checkGolden compares got with the golden file at path (or rewrites it
// with -update).
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("writing golden file: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(got), string(want)); diff != "" {
		t.Errorf("%s differs (-got +want):\n%s", path, diff)
	}
}

// toJSON renders v as indented JSON without HTML escaping, for golden files.
func toJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encoding JSON: %v", err)
	}
	return buf.Bytes()
}

// readFile reads a test input.
func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// parseFile parses a workflow in testdata, failing the test on error.
func parseFile(t *testing.T, path string) *plan.Workflow {
	t.Helper()
	w, err := ParseWorkflow(path, readFile(t, path))
	if err != nil {
		t.Fatalf("ParseWorkflow(%s) error:\n%v", path, err)
	}
	return w
}
