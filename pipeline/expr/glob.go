package expr

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// glob is one hashFiles pattern, following @actions/glob as the runner uses
// it: paths relative to the workspace, * and ? and [...] within a path
// segment (matching dot files too), ** across segments, a leading ! to
// exclude, and a pattern that matches a directory matching every file below
// it.
type glob struct {
	negate bool
	// dirOnly is set by a trailing slash: the pattern matches directories
	// only, so files only through their parent directories.
	dirOnly bool
	// never is set for a pattern outside the workspace.
	never bool
	segs  []string
	// root is the literal leading part of the pattern: the only directory
	// (or file) the pattern can match anything in.
	root string
}

// parseGlobs reads hashFiles' arguments. Each argument may hold several
// patterns, one per line; empty lines and lines starting with # are skipped.
func parseGlobs(workspace string, patterns []string) ([]glob, error) {
	var globs []glob
	for _, arg := range patterns {
		for line := range strings.SplitSeq(arg, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			g, err := parseGlob(workspace, line)
			if err != nil {
				return nil, err
			}
			globs = append(globs, g)
		}
	}
	return globs, nil
}

// parseGlob reads one pattern.
func parseGlob(workspace, pattern string) (glob, error) {
	var g glob
	p := pattern
	for strings.HasPrefix(p, "!") {
		g.negate = !g.negate
		p = strings.TrimSpace(p[1:])
	}
	g.dirOnly = strings.HasSuffix(p, "/")
	if path.IsAbs(p) {
		rel, ok := strings.CutPrefix(p, strings.TrimSuffix(filepath.ToSlash(workspace), "/")+"/")
		if !ok {
			return glob{negate: g.negate, never: true}, nil
		}
		p = rel
	}
	p = path.Clean(p)
	if p == ".." || strings.HasPrefix(p, "../") {
		return glob{negate: g.negate, never: true}, nil
	}
	if p != "." {
		g.segs = strings.Split(p, "/")
	}
	literal := true
	var root []string
	for _, seg := range g.segs {
		if _, err := path.Match(seg, ""); err != nil {
			return glob{}, fmt.Errorf("hashFiles pattern %q: %w", pattern, err)
		}
		if literal && !strings.ContainsAny(seg, `*?[\`) {
			root = append(root, seg)
		} else {
			literal = false
		}
	}
	g.root = strings.Join(root, "/")
	return g, nil
}

// matches reports whether the file at rel (slash-separated, relative to the
// workspace) is the pattern's match or lies below a directory it matches.
func (g glob) matches(rel string) bool {
	if g.never {
		return false
	}
	parts := strings.Split(rel, "/")
	last := len(parts)
	if g.dirOnly {
		last--
	}
	for k := 0; k <= last; k++ {
		if matchSegments(g.segs, parts[:k]) {
			return true
		}
	}
	return false
}

// matchSegments matches path segments against pattern segments, where **
// matches any number of segments.
func matchSegments(pattern, parts []string) bool {
	for len(pattern) > 0 {
		if pattern[0] == "**" {
			for len(pattern) > 0 && pattern[0] == "**" {
				pattern = pattern[1:]
			}
			if len(pattern) == 0 {
				return true
			}
			for i := range len(parts) + 1 {
				if matchSegments(pattern, parts[i:]) {
					return true
				}
			}
			return false
		}
		if len(parts) == 0 {
			return false
		}
		if ok, _ := path.Match(pattern[0], parts[0]); !ok {
			return false
		}
		pattern, parts = pattern[1:], parts[1:]
	}
	return len(parts) == 0
}

// included applies the patterns in order: a file is in when the last
// pattern that matches it is not negated.
func included(globs []glob, rel string) bool {
	in := false
	for _, g := range globs {
		if g.matches(rel) {
			in = !g.negate
		}
	}
	return in
}

// matchFiles walks the roots of the include patterns and returns the
// regular files the patterns select, relative to workspace, sorted.
// Symbolic links to files are followed; links to directories are not.
func matchFiles(workspace string, globs []glob) ([]string, error) {
	var files []string
	for _, root := range walkRoots(globs) {
		start := filepath.Join(workspace, filepath.FromSlash(root))
		err := filepath.WalkDir(start, func(name string, d fs.DirEntry, err error) error {
			if err != nil {
				if name == start && errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if !isFile(name, d) {
				return nil
			}
			rel, err := filepath.Rel(workspace, name)
			if err != nil {
				return err
			}
			if rel = filepath.ToSlash(rel); included(globs, rel) {
				files = append(files, rel)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("hashFiles: walking the workspace: %w", err)
		}
	}
	slices.Sort(files)
	return files, nil
}

// isFile reports whether a walked entry is a regular file or a symbolic
// link to one.
func isFile(name string, d fs.DirEntry) bool {
	if d.Type().IsRegular() {
		return true
	}
	if d.Type()&fs.ModeSymlink == 0 {
		return false
	}
	info, err := os.Stat(name)
	return err == nil && info.Mode().IsRegular()
}

// walkRoots returns the directories to walk: the roots of the include
// patterns, without any that lies inside another.
func walkRoots(globs []glob) []string {
	var roots []string
	for _, g := range globs {
		if !g.negate && !g.never {
			roots = append(roots, g.root)
		}
	}
	slices.Sort(roots)
	var kept []string
	for _, r := range roots {
		inside := slices.ContainsFunc(kept, func(k string) bool {
			return k == "" || r == k || strings.HasPrefix(r, k+"/")
		})
		if !inside {
			kept = append(kept, r)
		}
	}
	return kept
}
