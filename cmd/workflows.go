package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"codeberg.org/anvil-ci/anvil/pipeline"
)

// loadWorkflows finds and parses the workflows under dir (or wpath). Every
// problem of every file is printed to stderr as file:line:col: message;
// the returned error then only counts them.
func loadWorkflows(dir, wpath string, stderr io.Writer) ([]*pipeline.Workflow, error) {
	files, err := pipeline.Discover(dir, wpath)
	if err != nil {
		return nil, usageError(fmt.Errorf("finding workflows in %s: %w", dir, err))
	}
	if len(files) == 0 {
		return nil, usageErrorf("no workflows in %s: add .forgejo/workflows/*.yml or point -W at a workflow file", dir)
	}
	var workflows []*pipeline.Workflow
	bad := 0
	for _, f := range files {
		path, name := workflowPath(dir, f)
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, usageError(fmt.Errorf("reading workflow: %w", err))
		}
		wf, err := pipeline.ParseWorkflow(name, data)
		if err != nil {
			bad++
			printProblems(stderr, err)
			continue
		}
		workflows = append(workflows, wf)
	}
	if bad > 0 {
		return nil, &exitError{
			code: ExitUsage,
			err:  fmt.Errorf("%d of %d workflow files have problems; fix them and run again", bad, len(files)),
		}
	}
	return workflows, nil
}

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

// printProblems prints a parse error one problem per line.
func printProblems(w io.Writer, err error) {
	var problems pipeline.Errors
	if errors.As(err, &problems) {
		for _, p := range problems {
			fmt.Fprintln(w, p)
		}
		return
	}
	fmt.Fprintln(w, err)
}
