package executor

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
)

// ErrOutsideWorkspace is the cause of a path that leads out of the job's
// workspace: a local action (uses: ./...) or one of its files that is
// elsewhere on the machine, directly or through a symbolic link.
var ErrOutsideWorkspace = errors.New("outside the workspace")

// workspacePath returns the host path of rel, a path relative to the
// workspace ws as in uses: ./rel, after checking that it stays inside the
// workspace, also through symbolic links.
func workspacePath(ws, rel string) (string, error) {
	p := filepath.Join(ws, filepath.FromSlash(rel))
	return p, confined(ws, p, rel)
}

// confined checks that the host path p, shown as shown, is inside ws both
// as written and once its symbolic links are resolved. A path that does
// not exist passes: reading it fails on its own, with its own message.
func confined(ws, p, shown string) error {
	if !within(ws, p) {
		return fmt.Errorf("%s leads to %s, %w %s", shown, p, ErrOutsideWorkspace, ws)
	}
	real, err := filepath.EvalSymlinks(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("resolving %s: %w", shown, err)
	}
	realWS, err := filepath.EvalSymlinks(ws)
	if err != nil {
		return fmt.Errorf("resolving the workspace %s: %w", ws, err)
	}
	if !within(realWS, real) {
		return fmt.Errorf("%s is a symbolic link to %s, %w %s", shown, real, ErrOutsideWorkspace, ws)
	}
	return nil
}

// within reports whether p is root or inside it, comparing clean paths.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
