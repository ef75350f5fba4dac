package expr

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// testContexts returns contexts that fill every context, with the github
// context read from testdata/github.json (a push event).
func testContexts(t testing.TB) *Contexts {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "github.json"))
	if err != nil {
		t.Fatal(err)
	}
	var github map[string]any
	if err := json.Unmarshal(data, &github); err != nil {
		t.Fatalf("decoding testdata/github.json: %v", err)
	}
	return &Contexts{
		Github:  github,
		Env:     map[string]string{"GREETING": "hello", "EMPTY": ""},
		Vars:    map[string]string{"DEPLOY_TARGET": "staging"},
		Secrets: map[string]string{"TOKEN": "s3cret"},
		Inputs:  map[string]any{"debug": true, "count": 3.0, "name": "demo"},
		Job: JobContext{
			Status:   "success",
			Services: map[string]any{"db": map[string]any{"id": "c0ffee", "ports": map[string]any{"5432": "49153"}}},
		},
		Steps: map[string]StepResult{
			"build": {Outputs: map[string]string{"version": "1.2.3"}, Outcome: "success", Conclusion: "success"},
			"lint":  {Outcome: "failure", Conclusion: "success"},
		},
		Runner:   map[string]any{"os": "Linux", "arch": "X64", "temp": "/tmp/runner"},
		Strategy: map[string]any{"fail-fast": true, "job-index": 1.0, "job-total": 4.0},
		Matrix:   map[string]any{"os": "ubuntu", "node": 20.0, "flags": []any{"a", "b"}},
		Needs: map[string]NeedResult{
			"build": {Outputs: map[string]string{"artifact": "app.tar"}, Result: "success"},
			"test":  {Result: "failure"},
		},
		Jobs: map[string]NeedResult{"deploy": {Outputs: map[string]string{"url": "https://demo.example.org"}, Result: "success"}},
	}
}
