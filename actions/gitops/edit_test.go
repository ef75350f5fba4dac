package gitops

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/internal/testkit/golden"
)

// TestApply edits the files in testdata/edit and compares the results with
// testdata/edit/golden/CASE.yaml (rewrite them with -update).
func TestApply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		file        string
		change      Change
		wantOld     string
		wantNew     string
		reformatted bool
		// lines is how many lines an insertion adds (0: one line changes).
		lines int
	}{
		{name: "kustomize-image-tag", file: "kustomization.yaml", change: Change{Image: "ghcr.io/acme/web", Value: "1.5.0"}, wantOld: "1.4.2", wantNew: "1.5.0"},
		{name: "kustomize-image-tag-from-ref", file: "kustomization.yaml", change: Change{Image: "ghcr.io/acme/worker:2.1"}, wantOld: "2.0", wantNew: "2.1"},
		{name: "kustomize-image-added", file: "kustomization.yaml", change: Change{Image: "ghcr.io/acme/new", Value: "0.1.0"}, wantNew: "0.1.0", lines: 2},
		{name: "kustomize-images-added", file: "values-plain.yaml", change: Change{Image: "ghcr.io/acme/new", Value: "0.1.0"}, wantNew: "0.1.0", lines: 3},
		{name: "kustomize-image-digest", file: "kustomization.yaml", change: Change{Image: "ghcr.io/acme/web", Value: "sha256:0123abcd"}, wantOld: "1.4.2", wantNew: "sha256:0123abcd"},
		{name: "kustomize-image-tag-added", file: "kustomization-bare.yaml", change: Change{Image: "web", Value: "3"}, wantNew: "3", lines: 1},
		{name: "kustomize-both-set", file: "kustomization-bare.yaml", change: Change{Image: "api", Value: "2.0"}, wantOld: "1.0", wantNew: "2.0", reformatted: true},
		{name: "helm-tag-keeps-quotes", file: "values.yaml", change: Change{Path: "image.tag", Value: "1.10"}, wantOld: "1.0", wantNew: "1.10"},
		{name: "helm-int", file: "values.yaml", change: Change{Path: "replicaCount", Value: "5"}, wantOld: "3", wantNew: "5"},
		{name: "helm-sequence-element", file: "values.yaml", change: Change{Path: "ingress.hosts[0].host", Value: "api.acme.example"}, wantOld: "api.acme.test", wantNew: "api.acme.example"},
		{name: "helm-new-keys", file: "values.yaml", change: Change{Path: "image.labels.release", Value: "true"}, wantNew: "true", lines: 2},
		{name: "helm-new-key-in-flow-mapping", file: "values.yaml", change: Change{Path: "podAnnotations.release", Value: "2"}, wantNew: "2", reformatted: true},
		{name: "new-key-at-end-without-newline", file: "no-newline.yaml", change: Change{Path: "b", Value: "x"}, wantNew: "x", lines: 1},
		{name: "plain-string-gets-quoted", file: "values-plain.yaml", change: Change{Path: "image.tag", Value: "1.10"}, wantOld: "v1.0.0", wantNew: "1.10"},
		{name: "plain-yaml11-boolean-quoted", file: "values-plain.yaml", change: Change{Path: "image.tag", Value: "on"}, wantOld: "v1.0.0", wantNew: "on"},
		{name: "single-quoted-stays", file: "values-plain.yaml", change: Change{Path: "image.digest", Value: "sha256:it's"}, wantOld: "sha256:aaaa", wantNew: "sha256:it's"},
		{name: "container-image-by-name", file: "deployment.yaml", change: Change{Path: "spec.template.spec.containers[name=web].image", Image: "ghcr.io/acme/web", Value: "1.5.0"}, wantOld: "ghcr.io/acme/web:1.4.2", wantNew: "ghcr.io/acme/web:1.5.0"},
		{name: "quoted-key", file: "deployment.yaml", change: Change{Path: `metadata.annotations["app.kubernetes.io/version"]`, Value: "1.5.0"}, wantOld: "1.4.2", wantNew: "1.5.0"},
		{name: "second-document", file: "multi.yaml", change: Change{Path: "spec.template.spec.containers[0].image", Value: "ghcr.io/acme/api:1.1.0"}, wantOld: "ghcr.io/acme/api:1.0.0", wantNew: "ghcr.io/acme/api:1.1.0"},
		{name: "anchored-value", file: "anchors.yaml", change: Change{Path: "defaults.tag", Value: "2.0"}, wantOld: "1.0", wantNew: "2.0"},
		{name: "flow-mapping", file: "anchors.yaml", change: Change{Path: "flow.tag", Value: "1.0"}, wantOld: "0.9", wantNew: "1.0"},
		{name: "explicit-tag", file: "anchors.yaml", change: Change{Path: "explicit", Value: "8"}, wantOld: "7", wantNew: "8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(filepath.Join("testdata/edit", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			e, err := Apply(src, tt.change)
			if err != nil {
				t.Fatalf("Apply(%s, %+v): %v", tt.file, tt.change, err)
			}
			if !e.Changed || e.Old != tt.wantOld || e.New != tt.wantNew || e.Reformatted != tt.reformatted {
				t.Errorf("Apply(%s, %+v) = changed %v, %q → %q, reformatted %v; want changed, %q → %q, reformatted %v",
					tt.file, tt.change, e.Changed, e.Old, e.New, e.Reformatted, tt.wantOld, tt.wantNew, tt.reformatted)
			}
			golden.Check(t, filepath.Join("testdata/edit/golden", tt.name+".yaml"), e.Out)
			switch {
			case tt.lines > 0:
				assertOnlyLinesAdded(t, src, e.Out, tt.lines)
			case !tt.reformatted:
				assertOnlyValueChanged(t, src, e.Out)
			}
			again, err := Apply(e.Out, tt.change)
			if err != nil {
				t.Fatalf("applying %+v twice: %v", tt.change, err)
			}
			if again.Changed || !bytes.Equal(again.Out, e.Out) {
				t.Errorf("applying %+v twice changed the file again:\n%s", tt.change, again.Out)
			}
		})
	}
}

// assertOnlyValueChanged checks that a splice changed one line only.
func assertOnlyValueChanged(t *testing.T, before, after []byte) {
	t.Helper()
	b, a := strings.Split(string(before), "\n"), strings.Split(string(after), "\n")
	if len(a) != len(b) {
		t.Fatalf("the edit changed the number of lines from %d to %d", len(b), len(a))
	}
	changed := 0
	for i := range b {
		if a[i] != b[i] {
			changed++
		}
	}
	if changed != 1 {
		t.Errorf("the edit changed %d lines, want 1:\n%s", changed, cmp.Diff(string(before), string(after)))
	}
}

// assertOnlyLinesAdded checks that an insertion added n lines and left
// every other line as it was.
func assertOnlyLinesAdded(t *testing.T, before, after []byte, n int) {
	t.Helper()
	b := strings.Split(strings.TrimSuffix(string(before), "\n"), "\n")
	a := strings.Split(strings.TrimSuffix(string(after), "\n"), "\n")
	if len(a) != len(b)+n {
		t.Fatalf("the edit went from %d to %d lines, want %d added:\n%s", len(b), len(a), n, after)
	}
	i := 0
	for _, l := range a {
		if i < len(b) && l == b[i] {
			i++
		}
	}
	if i != len(b) {
		t.Errorf("the edit changed existing lines:\n%s", cmp.Diff(string(before), string(after)))
	}
}

func TestApplyUnchanged(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("testdata/edit/kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e, err := Apply(src, Change{Image: "ghcr.io/acme/web", Value: "1.4.2"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Changed || !bytes.Equal(e.Out, src) || e.Old != "1.4.2" {
		t.Errorf("setting the current tag = changed %v, old %q; want unchanged bytes, old 1.4.2", e.Changed, e.Old)
	}
}

func TestApplyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		src     string
		change  Change
		wantErr string
	}{
		{"nothing to set", "a: 1\n", Change{Value: "x"}, "nothing to set"},
		{"empty value", "a: 1\n", Change{Path: "a"}, "value is empty"},
		{"image without tag", "images: []\n", Change{Image: "ghcr.io/acme/web"}, "has no tag"},
		{"registry port is no tag", "images: []\n", Change{Image: "registry:5000/web"}, "has no tag"},
		{"bad path", "a: 1\n", Change{Path: "a..b", Value: "x"}, "misplaced dot"},
		{"bad index", "a: 1\n", Change{Path: "a[x]", Value: "x"}, "neither an index"},
		{"key on a list", "a: [1, 2]\n", Change{Path: "a.b", Value: "x"}, "a is not a mapping"},
		{"index out of range", "a: [1, 2]\n", Change{Path: "a[2]", Value: "x"}, "has 2 elements"},
		{"no such element", "a:\n- name: x\n", Change{Path: "a[name=y].v", Value: "x"}, "no element with name: y"},
		{"a mapping is not a value", "a:\n  b: 1\n", Change{Path: "a", Value: "x"}, "is a mapping, not a single value"},
		{"alias", "x: &x 1\ny: *x\n", Change{Path: "y", Value: "2"}, "alias *x"},
		{"not YAML", "a: [\n", Change{Path: "a", Value: "x"}, "parsing the YAML"},
		{"images not a list", "images: {}\n", Change{Image: "web", Value: "1"}, "images: is not a list"},
		{"empty file", "", Change{Path: "a", Value: "x"}, "no YAML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Apply([]byte(tt.src), tt.change)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Apply(%q, %+v) error = %v, want one containing %q", tt.src, tt.change, err, tt.wantErr)
			}
		})
	}
}

func TestParsePath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path string
		want string
	}{
		{"image.tag", "image.tag"},
		{"spec.containers[0].image", "spec.containers[0].image"},
		{"images[name=web].newTag", "images[name=web].newTag"},
		{`metadata.annotations["app.kubernetes.io/version"]`, `metadata.annotations."app.kubernetes.io/version"`},
		{`a['b.c'].d`, `a."b.c".d`},
	}
	for _, tt := range tests {
		segs, err := parsePath(tt.path)
		if err != nil {
			t.Errorf("parsePath(%q): %v", tt.path, err)
			continue
		}
		if got := pathString(segs); got != tt.want {
			t.Errorf("parsePath(%q) = %s, want %s", tt.path, got, tt.want)
		}
	}
}
