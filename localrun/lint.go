package localrun

import (
	"fmt"

	"codeberg.org/anvil-ci/anvil/pipeline"
	"codeberg.org/anvil-ci/anvil/pipeline/lint"
)

// Linted is what Lint found.
type Linted struct {
	Findings []lint.Finding
	// Files is how many workflow files were checked, Bad how many of them
	// have a finding.
	Files, Bad int
}

// Lint checks workflow files with opts (anvil lint): each of paths (a
// file, or the workflows in a directory), or the workflow directory under
// dir when paths is empty. File names in findings are relative to dir.
func Lint(dir string, paths []string, opts lint.Options) (Linted, error) {
	files, err := lintFiles(dir, paths)
	if err != nil {
		return Linted{}, err
	}
	l := lint.New(opts)
	out := Linted{Files: len(files)}
	for _, f := range files {
		path, name := WorkflowPath(dir, f)
		data, err := pipeline.ReadFile(path)
		if err != nil {
			return Linted{}, usageError(fmt.Errorf("reading workflow: %w", err))
		}
		fs := l.Check(name, data)
		if len(fs) > 0 {
			out.Bad++
		}
		out.Findings = append(out.Findings, fs...)
	}
	return out, nil
}

// lintFiles lists the workflow files to check: each path (a file, or the
// workflows in a directory), or the workflow directory under dir.
func lintFiles(dir string, paths []string) ([]string, error) {
	if len(paths) == 0 {
		files, err := pipeline.Discover(dir, "")
		if err != nil {
			return nil, usageError(fmt.Errorf("finding workflows in %s (or give the files to check): %w", dir, err))
		}
		return files, nil
	}
	var files []string
	for _, p := range paths {
		fs, err := pipeline.Discover(dir, p)
		if err != nil {
			return nil, usageError(err)
		}
		files = append(files, fs...)
	}
	return files, nil
}
