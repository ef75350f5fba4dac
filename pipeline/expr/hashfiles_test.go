package expr

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeWorkspace creates files (slash-separated path to content) under a
// new temporary directory and returns it.
func writeWorkspace(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// referenceHash is GitHub's algorithm written out for a known list of
// files: SHA-256 over the SHA-256 digests of the files, in order.
func referenceHash(t *testing.T, dir string, files []string) string {
	t.Helper()
	if len(files) == 0 {
		return ""
	}
	var digests []byte
	for _, f := range files {
		content, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(content)
		digests = append(digests, sum[:]...)
	}
	sum := sha256.Sum256(digests)
	return hex.EncodeToString(sum[:])
}

func TestHashFilesKnownValue(t *testing.T) {
	t.Parallel()
	dir := writeWorkspace(t, map[string]string{"b.txt": "b", "a.txt": "a"})
	c := &Contexts{Workspace: dir}
	got, err := c.Evaluate("hashFiles('*.txt')")
	if err != nil {
		t.Fatal(err)
	}
	// (printf a | sha256sum; printf b | sha256sum) | cut -c1-64 | tr -d '\n' | xxd -r -p | sha256sum
	const want = "e5a01fee14e0ed5c48714f22180f25ad8365b53f9779f79dc4a3d7e93963f94a"
	if got != want {
		t.Errorf("hashFiles('*.txt') = %v, want %s", got, want)
	}
}

func TestHashFiles(t *testing.T) {
	t.Parallel()
	dir := writeWorkspace(t, map[string]string{
		"go.sum":                "root",
		"sub/go.sum":            "sub",
		"sub/deep/go.sum":       "deep",
		"node_modules/x/go.sum": "vendored",
		"src/main.go":           "package main",
		"src/.hidden":           "dot file",
		"docs/readme.md":        "# docs",
		"docs-old/readme.md":    "# old",
	})
	if err := os.Symlink("main.go", filepath.Join(dir, "src", "link.go")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "docs"), filepath.Join(dir, "src", "docs-link")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		patterns []string
		files    []string
	}{
		{"recursive", []string{"**/go.sum"}, []string{"go.sum", "node_modules/x/go.sum", "sub/deep/go.sum", "sub/go.sum"}},
		{"top level only", []string{"go.sum"}, []string{"go.sum"}},
		{"star stays in its directory", []string{"*.sum"}, []string{"go.sum"}},
		{"dot slash prefix", []string{"./go.sum"}, []string{"go.sum"}},
		{"directory matches its files", []string{"src"}, []string{"src/.hidden", "src/link.go", "src/main.go"}},
		{"trailing slash", []string{"src/"}, []string{"src/.hidden", "src/link.go", "src/main.go"}},
		{"star matches dot files", []string{"src/*"}, []string{"src/.hidden", "src/link.go", "src/main.go"}},
		{"question mark and class", []string{"sub/g?.[st]um"}, []string{"sub/go.sum"}},
		{"exclusion", []string{"**/go.sum", "!node_modules/**"}, []string{"go.sum", "sub/deep/go.sum", "sub/go.sum"}},
		{"patterns on lines", []string{"**/go.sum\n!**/deep/**\n# a comment\n\n"}, []string{"go.sum", "node_modules/x/go.sum", "sub/go.sum"}},
		{"later pattern includes again", []string{"**/go.sum", "!sub/**", "sub/deep/go.sum"}, []string{"go.sum", "node_modules/x/go.sum", "sub/deep/go.sum"}},
		{"overlapping roots counted once", []string{"docs/**", "docs", "docs-old/*"}, []string{"docs-old/readme.md", "docs/readme.md"}},
		{"absolute inside workspace", []string{filepath.ToSlash(filepath.Join(dir, "sub", "go.sum"))}, []string{"sub/go.sum"}},
		{"everything", []string{"**"}, []string{"docs-old/readme.md", "docs/readme.md", "go.sum", "node_modules/x/go.sum", "src/.hidden", "src/link.go", "src/main.go", "sub/deep/go.sum", "sub/go.sum"}},
		{"no braces", []string{"**/*.{go,md}"}, nil},
		{"outside the workspace", []string{"../**"}, nil},
		{"absolute outside the workspace", []string{"/etc/passwd"}, nil},
		{"missing directory", []string{"nothing/*"}, nil},
		{"only exclusions", []string{"!go.sum"}, nil},
		{"only comments", []string{"# go.sum"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := referenceHash(t, dir, tt.files)
			got, err := hashFiles(dir, tt.patterns)
			if err != nil {
				t.Fatalf("hashFiles(%q) error: %v", tt.patterns, err)
			}
			if got != want {
				t.Errorf("hashFiles(%q) = %q, want the hash of %q: %q", tt.patterns, got, tt.files, want)
			}
		})
	}
}

func TestHashFilesInExpressions(t *testing.T) {
	t.Parallel()
	dir := writeWorkspace(t, map[string]string{"go.mod": "module x", "go.sum": "sums", "vendor/go.sum": "v"})
	c := &Contexts{Workspace: dir, Matrix: map[string]any{"dir": "vendor"}}
	tests := []struct {
		name  string
		expr  string
		files []string
	}{
		{"several arguments", "hashFiles('go.mod', '**/go.sum', '!vendor/**')", []string{"go.mod", "go.sum"}},
		{"computed pattern", "hashFiles(format('{0}/*', matrix.dir))", []string{"vendor/go.sum"}},
		{"case-insensitive name", "HASHFILES('go.mod')", []string{"go.mod"}},
		{"no match is empty", "hashFiles('*.lock')", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.Evaluate(tt.expr)
			if err != nil {
				t.Fatalf("Evaluate(%q) error: %v", tt.expr, err)
			}
			if want := referenceHash(t, dir, tt.files); got != want {
				t.Errorf("Evaluate(%q) = %v, want %q", tt.expr, got, want)
			}
		})
	}
}

func TestHashFilesErrors(t *testing.T) {
	t.Parallel()
	dir := writeWorkspace(t, map[string]string{"a": "a"})
	tests := []struct {
		name     string
		patterns []string
		want     string
	}{
		{"bad pattern", []string{"src/[a"}, `hashFiles pattern "src/[a": syntax error in pattern`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := hashFiles(dir, tt.patterns)
			if err == nil {
				t.Fatalf("hashFiles(%q) = %q, want error %q", tt.patterns, got, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("hashFiles(%q) error = %q, want %q", tt.patterns, err, tt.want)
			}
		})
	}
}
