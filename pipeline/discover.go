package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// workflowDirs are where workflows live, in the order Forgejo looks.
var workflowDirs = []string{".forgejo/workflows", ".gitea/workflows", ".github/workflows"}

// Discover lists the workflow files to read. path is what the user gave
// with -W, a file or a directory, relative to the current directory; a
// file is used as is. When path is empty, the first of .forgejo/workflows,
// .gitea/workflows and .github/workflows that exists under dir is used.
// Directories are not searched recursively; their *.yml and *.yaml files
// are returned sorted.
func Discover(dir, path string) ([]string, error) {
	if path != "" {
		info, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("reading workflows from %s: %w", path, err)
		}
		if !info.IsDir() {
			return []string{path}, nil
		}
		return workflowFiles(path)
	}
	for _, d := range workflowDirs {
		full := filepath.Join(dir, filepath.FromSlash(d))
		info, err := os.Stat(full)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return nil, fmt.Errorf("looking for workflows in %s: %w", full, err)
		case !info.IsDir():
			return nil, fmt.Errorf("looking for workflows: %s is not a directory", full)
		}
		return workflowFiles(full)
	}
	return nil, fmt.Errorf("no workflow directory under %s: create .forgejo/workflows or name the workflow files (anvil exec -W, anvil lint PATH...)", dir)
}

// workflowFiles lists the *.yml and *.yaml files directly in dir, sorted.
func workflowFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("listing workflows in %s: %w", dir, err)
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".yml") || strings.HasSuffix(name, ".yaml")) {
			continue
		}
		files = append(files, filepath.Join(dir, name))
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no workflow files (*.yml, *.yaml) in %s: add one or name the workflow files (anvil exec -W, anvil lint PATH...)", dir)
	}
	slices.Sort(files)
	return files, nil
}
