package executor

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"codeberg.org/anvil-ci/anvil/pipeline/expr"
)

// isCheckout reports whether uses names actions/checkout (any ref, also in
// URL form on a forge).
func isCheckout(uses string) bool {
	ref, _, _ := strings.Cut(uses, "@")
	ref = strings.TrimSuffix(ref, "/")
	return ref == "actions/checkout" || strings.HasSuffix(ref, "/actions/checkout")
}

// runCheckout copies the local repository into the workspace (anvil exec),
// like act does, instead of fetching it.
func (s *stepRun) runCheckout(ctx context.Context, c *expr.Contexts) error {
	j, st := s.j, s.st
	e := j.engine()
	if !e.cfg.LocalCheckout || e.cfg.SourceDir == "" {
		return fmt.Errorf("%s: %s: fetching repositories comes with remote actions; this runner can only check out the local directory (anvil exec -C)", posString(st.Pos), st.Uses)
	}
	if repo, err := c.Interpolate(st.With["repository"]); err != nil {
		return fmt.Errorf("%s: with.repository: %w", posString(st.Pos), err)
	} else if repo != "" && repo != githubString(j.github, "repository") {
		return fmt.Errorf("%s: %s with repository %q: checking out other repositories comes with remote actions; anvil exec copies only the local directory", posString(st.Pos), st.Uses, repo)
	}
	sub, err := c.Interpolate(st.With["path"])
	if err != nil {
		return fmt.Errorf("%s: with.path: %w", posString(st.Pos), err)
	}
	dst := j.spec.Workspace
	if sub != "" {
		if dst, err = workspacePath(j.spec.Workspace, sub); err != nil {
			return fmt.Errorf("%s: with.path: %w; the checkout must stay inside the workspace", posString(st.Pos), err)
		}
	}
	s.log("", "Copying %s into the workspace (anvil exec checks out the local directory)", e.cfg.SourceDir)
	skip := e.cfg.WorkDir
	if err := CopyTree(ctx, e.cfg.SourceDir, dst, skip); err != nil {
		return fmt.Errorf("checking out %s: %w", e.cfg.SourceDir, err)
	}
	return nil
}

// CopyTree copies the file or directory src to dst, keeping modes and
// symbolic links, skipping the directory skip (e.g. a work directory that
// lies inside src). It stops when ctx is done.
func CopyTree(ctx context.Context, src, dst, skip string) error {
	src, err := filepath.Abs(src)
	if err != nil {
		return err
	}
	if skip != "" {
		skip, _ = filepath.Abs(skip)
	}
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if skip != "" && path == skip {
			return filepath.SkipDir
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			os.Remove(target)
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			return copyFile(path, target, info.Mode().Perm())
		}
		return nil
	})
}

func copyFile(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
