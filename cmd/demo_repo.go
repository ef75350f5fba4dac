package cmd

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// demoFiles is the demo repository. It lives in cmd/demo because go:embed
// cannot reach testdata/demo from here; "all:" keeps .forgejo.
//
//go:embed all:demo
var demoFiles embed.FS

// writeDemoRepo writes the demo repository to dir (which must be new or
// empty) and commits it on branch main.
func writeDemoRepo(ctx context.Context, dir string, now time.Time) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return usageErrorf("--keep %s: the directory is not empty; give a new or empty directory", dir)
	}
	if err := copyDemo(dir); err != nil {
		return err
	}
	return commitAll(ctx, dir, "Add the textstats demo", now)
}

// copyDemo writes the embedded demo files under dir; shell scripts become
// executable.
func copyDemo(dir string) error {
	root, err := fs.Sub(demoFiles, "demo")
	if err != nil {
		return fmt.Errorf("opening the embedded demo: %w", err)
	}
	return fs.WalkDir(root, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(path))
		if d.IsDir() {
			if err := os.MkdirAll(target, 0o755); err != nil {
				return fmt.Errorf("writing the demo: %w", err)
			}
			return nil
		}
		data, err := fs.ReadFile(root, path)
		if err != nil {
			return fmt.Errorf("reading the embedded demo: %w", err)
		}
		mode := os.FileMode(0o644)
		if strings.HasSuffix(path, ".sh") {
			mode = 0o755
		}
		if err := os.WriteFile(target, data, mode); err != nil {
			return fmt.Errorf("writing the demo: %w", err)
		}
		return nil
	})
}

// commitAll makes dir a git repository on branch main with everything in
// one commit, independent of the user's git configuration.
func commitAll(ctx context.Context, dir, message string, now time.Time) error {
	g := git{dir: dir}
	date := now.UTC().Format(time.RFC3339)
	steps := [][]string{
		{"-c", "init.defaultBranch=main", "init", "--quiet"},
		{"symbolic-ref", "HEAD", "refs/heads/main"},
		{"add", "--all"},
		{"-c", "user.name=Anvil Demo", "-c", "user.email=demo@anvil.invalid", "-c", "commit.gpgsign=false",
			"commit", "--quiet", "--no-verify", "--date", date, "-m", message},
	}
	for _, args := range steps {
		if _, err := g.run(ctx, args...); err != nil {
			return fmt.Errorf("committing the demo repository in %s: %w", dir, err)
		}
	}
	return nil
}
