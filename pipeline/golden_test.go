package pipeline

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

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
