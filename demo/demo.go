package demo

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Token is the value of the demo's DEMO_TOKEN secret; the demo prints it
// and the logs show *** instead.
const Token = "demo-token-8d2f41"

// files is the demo repository. It lives in demo/repo because go:embed
// cannot reach testdata/demo from here; "all:" keeps .forgejo.
//
//go:embed all:repo
var files embed.FS

// ErrNotEmpty says that the directory Write was given holds files.
var ErrNotEmpty = errors.New("the directory is not empty; give a new or empty directory")

// Write writes the demo repository to dir (which must be new or empty,
// else ErrNotEmpty) and commits it on branch main at now.
func Write(ctx context.Context, dir string, now time.Time) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s: %w", dir, ErrNotEmpty)
	}
	if err := copyFiles(dir); err != nil {
		return err
	}
	return CommitAll(ctx, dir, "Add the textstats demo", now)
}

// copyFiles writes the embedded demo files under dir; shell scripts
// become executable.
func copyFiles(dir string) error {
	root, err := fs.Sub(files, "repo")
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

// CommitAll makes dir a git repository on branch main with everything in
// one commit at now, independent of the user's git configuration.
func CommitAll(ctx context.Context, dir, message string, now time.Time) error {
	date := now.UTC().Format(time.RFC3339)
	steps := [][]string{
		{"-c", "init.defaultBranch=main", "init", "--quiet"},
		{"symbolic-ref", "HEAD", "refs/heads/main"},
		{"add", "--all"},
		{"-c", "user.name=Anvil Demo", "-c", "user.email=demo@anvil.invalid", "-c", "commit.gpgsign=false",
			"commit", "--quiet", "--no-verify", "--date", date, "-m", message},
	}
	for _, args := range steps {
		if err := git(ctx, dir, args...); err != nil {
			return fmt.Errorf("committing the demo repository in %s: %w", dir, err)
		}
	}
	return nil
}
