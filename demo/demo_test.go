package demo

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gitOut runs git in dir and returns its trimmed output.
func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	c := exec.Command("git", args...)
	c.Dir = dir
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestCommitAllIgnoresUserConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f.txt"), []byte("f"), 0o644); err != nil {
		t.Fatal(err)
	}
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	if err := CommitAll(t.Context(), dir, "msg", when); err != nil {
		t.Fatalf("CommitAll() error = %v", err)
	}
	if got := gitOut(t, dir, "log", "--format=%an <%ae> %aI %s %D"); got != "Anvil Demo <demo@anvil.invalid> 2024-05-06T07:08:09+00:00 msg HEAD -> main" {
		t.Errorf("CommitAll() made commit %q", got)
	}
}

func TestWrite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		existing string
		wantErr  error
	}{
		{name: "new directory"},
		{name: "non-empty directory", existing: "existing.txt", wantErr: ErrNotEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "demo")
			if tt.existing != "" {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, tt.existing), []byte("x"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := Write(t.Context(), dir, time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Write() error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			for _, f := range []string{".forgejo/workflows/demo.yml", ".forgejo/actions/greet/action.yml"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("Write() did not write %s: %v", f, err)
				}
			}
			if st, err := os.Stat(filepath.Join(dir, "src/textstats.sh")); err != nil || st.Mode()&0o100 == 0 {
				t.Errorf("src/textstats.sh is not executable: %v", err)
			}
			if got := gitOut(t, dir, "status", "--porcelain"); got != "" {
				t.Errorf("Write() left uncommitted files:\n%s", got)
			}
		})
	}
}
