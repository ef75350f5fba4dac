package cmd

import (
	"path/filepath"
	"strings"
)

// workflowPath returns the file to read for a discovered workflow (as
// Discover gives it: usable from the current directory) and the name to
// give it in messages: relative to dir when it is inside dir.
func workflowPath(dir, f string) (path, name string) {
	name = f
	if abs, err := filepath.Abs(f); err == nil {
		if rel, err := filepath.Rel(dir, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			name = filepath.ToSlash(rel)
		}
	}
	return f, name
}
