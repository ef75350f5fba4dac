package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDiscover(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   []string // created under a temporary dir, directories end in /
		path    string   // -W, relative to the temporary dir ("" for none)
		want    []string // relative to the temporary dir
		wantErr string   // with DIR for the temporary dir
	}{
		{
			name:  "forgejo first",
			files: []string{".forgejo/workflows/b.yml", ".forgejo/workflows/a.yaml", ".github/workflows/c.yml"},
			want:  []string{".forgejo/workflows/a.yaml", ".forgejo/workflows/b.yml"},
		},
		{
			name:  "gitea before github",
			files: []string{".gitea/workflows/x.yml", ".github/workflows/y.yml"},
			want:  []string{".gitea/workflows/x.yml"},
		},
		{
			name:  "github, other files and subdirectories left out",
			files: []string{".github/workflows/ci.yml", ".github/workflows/README.md", ".github/workflows/sub/z.yml"},
			want:  []string{".github/workflows/ci.yml"},
		},
		{
			name:  "path is a file",
			files: []string{"ci/build.yaml", ".forgejo/workflows/a.yml"},
			path:  "ci/build.yaml",
			want:  []string{"ci/build.yaml"},
		},
		{
			name:  "path is a directory",
			files: []string{"ci/b.yml", "ci/a.yml", "ci/notes.txt"},
			path:  "ci",
			want:  []string{"ci/a.yml", "ci/b.yml"},
		},
		{
			name:    "no workflow directory",
			files:   []string{"main.go"},
			wantErr: "no workflow directory under DIR: create .forgejo/workflows or name the workflow files (anvil exec -W, anvil lint PATH...)",
		},
		{
			name:    "empty workflow directory",
			files:   []string{".forgejo/workflows/", ".github/workflows/ci.yml"},
			wantErr: "no workflow files (*.yml, *.yaml) in DIR/.forgejo/workflows: add one or name the workflow files (anvil exec -W, anvil lint PATH...)",
		},
		{
			name:    "missing path",
			path:    "nope.yml",
			wantErr: "reading workflows from DIR/nope.yml: stat DIR/nope.yml: no such file or directory",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for _, f := range tt.files {
				full := filepath.Join(dir, filepath.FromSlash(f))
				if strings.HasSuffix(f, "/") {
					if err := os.MkdirAll(full, 0o755); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(full, []byte("on: push\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			path := ""
			if tt.path != "" {
				path = filepath.Join(dir, tt.path)
			}
			got, err := Discover(dir, path)
			if tt.wantErr != "" {
				want := strings.ReplaceAll(tt.wantErr, "DIR", dir)
				if err == nil || err.Error() != want {
					t.Fatalf("Discover() = %v, %v; want error %q", got, err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Discover() error: %v", err)
			}
			var want []string
			for _, w := range tt.want {
				want = append(want, filepath.Join(dir, filepath.FromSlash(w)))
			}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("Discover() (-got +want):\n%s", diff)
			}
		})
	}
}
