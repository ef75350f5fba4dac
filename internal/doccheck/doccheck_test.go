package doccheck

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestLinks checks every relative link and anchor of README.md and docs/.
func TestLinks(t *testing.T) {
	root := filepath.Join("..", "..")
	files := []string{"README.md"}
	for _, glob := range []string{"docs/*.md", "docs/cli/*.md"} {
		m, err := filepath.Glob(filepath.Join(root, glob))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			rel, err := filepath.Rel(root, f)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, rel)
		}
	}
	broken, err := Check(root, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range broken {
		t.Errorf("broken link %s", b)
	}
}

func TestSlug(t *testing.T) {
	tests := []struct{ heading, want string }{
		{"`anvil exec [EVENT]`", "anvil-exec-event"},
		{"Running as a Forgejo/Gitea runner (register, daemon, generate-config)", "running-as-a-forgejogitea-runner-register-daemon-generate-config"},
		{"Terraform: plan, apply, drift", "terraform-plan-apply-drift"},
		{"`options:` flags", "options-flags"},
		{"snake_case and-dash", "snake_case-and-dash"},
	}
	for _, tt := range tests {
		if got := Slug(tt.heading); got != tt.want {
			t.Errorf("Slug(%q) = %q, want %q", tt.heading, got, tt.want)
		}
	}
}

func TestCheckFindsBrokenLinks(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("README.md", "# Top\n\n## Same\n## Same\n\n[ok](#same-1) [bad](#nope) [page](docs/a.md#there) [gone](docs/b.md)\n"+
		"[ext](https://example.com/#x) `[code](#not-a-link)`\n```\n[fenced](#nope2)\n```\n")
	write("docs/a.md", "# A\n\n### There\n\n[up](../README.md#top) [miss](../README.md#a)\n")
	got, err := Check(dir, []string{"README.md", "docs/a.md"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"README.md:6: #nope: README.md has no heading with anchor #nope",
		"README.md:6: docs/b.md: no such file",
		"docs/a.md:5: ../README.md#a: README.md has no heading with anchor #a",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Check =\n%q\nwant\n%q", got, want)
	}
}
