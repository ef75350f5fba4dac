package policy

import (
	"encoding/json"
	"os"
	"testing"

	"codeberg.org/anvil-ci/anvil/internal/testkit/golden"
	"codeberg.org/anvil-ci/anvil/pipeline"
)

// TestOfflineGolden plans testdata/build.yml (matrix, containers,
// services, every kind of uses:, permissions, a reusable workflow call)
// and compares the Inputs with the golden file.
func TestOfflineGolden(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/build.yml")
	if err != nil {
		t.Fatal(err)
	}
	wf, err := pipeline.ParseWorkflow("build.yml", data)
	if err != nil {
		t.Fatalf("ParseWorkflow: %v", err)
	}
	gh := map[string]any{"repository": "acme/app", "ref": "refs/heads/main", "ref_protected": true,
		"sha": "89abcdef0123456789abcdef0123456789abcdef", "event_name": "push", "actor": "octocat",
		"server_url": "https://forge.example/", "gitea_default_actions_url": "https://code.forgejo.org"}
	ins := Offline(wf, gh, TaskFromGithub(gh, ""))
	got, err := json.MarshalIndent(ins, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/build.golden.json", append(got, '\n'))
}

func TestParseImage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ref  string
		want Image
	}{
		{"node", Image{Registry: "docker.io", Name: "node"}},
		{"node:20", Image{Registry: "docker.io", Name: "node", Tag: "20"}},
		{"library/node:20", Image{Registry: "docker.io", Name: "library/node", Tag: "20"}},
		{"ghcr.io/a/b:1", Image{Registry: "ghcr.io", Name: "a/b", Tag: "1"}},
		{"localhost:5000/x", Image{Registry: "localhost:5000", Name: "x"}},
		{"localhost/x:2", Image{Registry: "localhost", Name: "x", Tag: "2"}},
		{"docker://r.example/x@sha256:ab", Image{Registry: "r.example", Name: "x", Digest: "sha256:ab"}},
		{"r.example:5000/x:1@sha256:ab", Image{Registry: "r.example:5000", Name: "x", Tag: "1", Digest: "sha256:ab"}},
	}
	for _, tt := range tests {
		if got := ParseImage(tt.ref); got != tt.want {
			t.Errorf("ParseImage(%q) = %+v, want %+v", tt.ref, got, tt.want)
		}
	}
}
