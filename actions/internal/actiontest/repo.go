package actiontest

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Repo describes a repository to run workflows in.
type Repo struct {
	// Workflows are workflow files by name, written to .forgejo/workflows.
	Workflows map[string]string
	// Actions names shipped actions (directories under actions/ of this
	// checkout, such as "terraform-plan") to copy to the same place in the
	// repository, for uses: ./actions/NAME.
	Actions []string
	// Dirs copies directories into the repository: repository-relative
	// destination to source, a path relative to the module root or
	// absolute.
	Dirs map[string]string
	// Files are more files: repository-relative path to content.
	Files map[string]string
}

// NewRepo writes r into a new temporary directory, commits it on branch
// main and returns the directory.
func NewRepo(t testing.TB, r Repo) string {
	t.Helper()
	root := ModuleRoot(t)
	dir := t.TempDir()
	for name, content := range r.Workflows {
		writeFile(t, filepath.Join(dir, ".forgejo", "workflows", name), content)
	}
	for _, a := range r.Actions {
		copyDir(t, filepath.Join(root, "actions", a), filepath.Join(dir, "actions", a))
	}
	for dst, src := range r.Dirs {
		if !filepath.IsAbs(src) {
			src = filepath.Join(root, src)
		}
		copyDir(t, src, filepath.Join(dir, filepath.FromSlash(dst)))
	}
	for name, content := range r.Files {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), content)
	}
	git := func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), "git", append([]string{"-c", "user.name=Anvil Test", "-c", "user.email=test@anvil.invalid", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v in %s: %v\n%s", args, dir, err, out)
		}
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "test repository")
	return dir
}

// writeFile writes content to path, creating its directory.
func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// copyDir copies the regular files and directories under src to dst.
func copyDir(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatalf("copying %s to %s: %v", src, dst, err)
	}
}
