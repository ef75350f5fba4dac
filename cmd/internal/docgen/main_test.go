package main

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// TestCLIDocsCurrent is the CI check that docs/cli matches the cobra
// commands: it generates the pages afresh and compares them file by file.
func TestCLIDocsCurrent(t *testing.T) {
	want := t.TempDir()
	if err := generate(want); err != nil {
		t.Fatal(err)
	}
	committed := filepath.Join("..", "..", "..", "docs", "cli")
	wantFiles, gotFiles := mdFiles(t, want), mdFiles(t, committed)
	for name := range wantFiles {
		if _, ok := gotFiles[name]; !ok {
			t.Errorf("docs/cli is stale: run make docs (%s is missing)", name)
		}
	}
	names := make([]string, 0, len(gotFiles))
	for name := range gotFiles {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		w, ok := wantFiles[name]
		switch {
		case !ok:
			t.Errorf("docs/cli is stale: run make docs (%s documents no command)", name)
		case !bytes.Equal(w, gotFiles[name]):
			t.Errorf("docs/cli is stale: run make docs (%s differs)", name)
		}
	}
}

// TestGenerateRemovesOldPages checks that a page of a removed command does
// not survive make docs.
func TestGenerateRemovesOldPages(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "anvil_gone.md")
	if err := os.WriteFile(old, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := generate(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("anvil_gone.md survived generate: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "anvil_exec.md")); err != nil {
		t.Errorf("anvil_exec.md was not written: %v", err)
	}
}

func mdFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	files := make(map[string][]byte, len(matches))
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(m)] = b
	}
	return files
}
