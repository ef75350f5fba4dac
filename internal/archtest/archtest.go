// Package archtest checks the layering of Anvil's architecture (Rules: who
// may import whom) against the module's real import graph, read with
// `go list -json`. Its test runs in `make lint`; a broken rule fails it
// with a message that names the rule and the file that breaks it.
package archtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Module is the module path; rules name packages relative to it.
const Module = "codeberg.org/anvil-ci/anvil"

// File is one Go file of a package and what it uses of other packages.
type File struct {
	// Name is the file's path relative to the module root.
	Name string
	// Test is set for _test.go files.
	Test bool
	// Imports are the import paths the file names.
	Imports []string
	// ImportGroups are the import paths as the file groups them (blank
	// lines apart).
	ImportGroups [][]string
	// Uses are the qualified identifiers the file refers to, as
	// "importpath.Name" (pipeline.ParseWorkflow is
	// "codeberg.org/anvil-ci/anvil/pipeline.ParseWorkflow").
	Uses []string
}

// Graph is the module's packages by import path, each with its files.
type Graph map[string][]File

// Rule is one line of the architecture's import table. A package matched
// by From must not depend on one matched by Forbid, directly or through
// other packages (tests included); when Only is set, its files may import
// nothing of the module but what Only or From match. ForbidUses names
// qualified identifier prefixes ("pipeline.Parse") its non-test files must
// not refer to. Grouped asks for import groups in the order standard
// library, third-party, ours, none of them mixed. TestOnly names packages
// only its test files may import. Except exempts packages From matches
// (test kits).
type Rule struct {
	Name       string
	From       []string
	Except     []string
	Forbid     []string
	Only       []string
	ForbidUses []string
	TestOnly   []string
	Grouped    bool
}

// Patterns are relative to the module: "executor" is that package alone,
// "executor/..." it and every package below it, "..." every package,
// "*test" every package whose name ends in "test" (the test kits).
func match(patterns []string, path string) bool {
	rel, ok := relative(path)
	if !ok {
		return false
	}
	for _, p := range patterns {
		if p == "..." {
			return true
		}
		if suffix, ok := strings.CutPrefix(p, "*"); ok {
			if strings.HasSuffix(rel[strings.LastIndexByte(rel, '/')+1:], suffix) {
				return true
			}
			continue
		}
		if base, ok := strings.CutSuffix(p, "/..."); ok {
			if rel == base || strings.HasPrefix(rel, base+"/") {
				return true
			}
		} else if rel == p {
			return true
		}
	}
	return false
}

func relative(path string) (string, bool) {
	if path == Module {
		return ".", true
	}
	rel, ok := strings.CutPrefix(path, Module+"/")
	return rel, ok
}

// Rules is ARCHITECTURE.md's table, plus the current imports of the
// top-level service packages (cache, artifacts, audit, metrics, gitctx),
// which are to stay as few as they are.
var Rules = []Rule{
	{Name: "pipeline never imports executor, runner or forge", From: []string{"pipeline/..."},
		Forbid: []string{"executor/...", "runner/...", "forge/..."}},
	{Name: "executor never imports runner or forge", From: []string{"executor/..."},
		Forbid: []string{"runner/...", "forge/..."}},
	{Name: "executor never calls pipeline.Parse*: it sees plan types only and reads files through Config.Loader",
		From: []string{"executor/..."}, Except: []string{"executor/internal/enginetest"},
		ForbidUses: []string{"pipeline.Parse"}},
	{Name: "executor imports of ours only pipeline/plan, pipeline/expr and pipeline/runopt: plan types, never pipeline (its parser, lint, act model)",
		From: []string{"executor/..."}, Except: []string{"executor/internal/enginetest"},
		Only: []string{"pipeline/plan", "pipeline/expr", "pipeline/runopt", "executor/internal/enginetest"}},
	{Name: "forge never imports runner, executor or pipeline", From: []string{"forge/..."},
		Forbid: []string{"runner/...", "executor/...", "pipeline/..."}},
	{Name: "actions never import runner", From: []string{"actions/..."}, Forbid: []string{"runner/..."}},
	{Name: "only cmd wires everything: nothing imports cmd", From: []string{"...not-cmd"},
		Forbid: []string{"cmd"}},
	{Name: "imports are grouped: standard library, then third-party, then ours (goimports -local " + Module + ")",
		From: []string{"..."}, Grouped: true},
	{Name: "cache imports nothing of ours", From: []string{"cache/..."}, Only: []string{}},
	{Name: "artifacts imports nothing of ours", From: []string{"artifacts/..."}, Only: []string{}},
	{Name: "audit imports only executor, executor/host, pipeline, pipeline/plan and pipeline/policy of ours", From: []string{"audit/..."},
		Only: []string{"executor", "pipeline/policy", "pipeline/plan", "executor/host", "pipeline"}},
	{Name: "fleet imports only forge and internal/httpserve of ours", From: []string{"fleet/..."}, Only: []string{"forge", "internal/httpserve"}},
	{Name: "metrics imports only forge and internal/httpserve of ours", From: []string{"metrics/..."}, Only: []string{"forge", "internal/httpserve"}},
	{Name: "gitctx imports only pipeline/plan of ours", From: []string{"gitctx/..."}, Only: []string{"pipeline/plan"}},
	{Name: "test support (internal/testkit, executor/executortest) is imported only by tests and test kits",
		From: []string{"..."}, Except: []string{"*test", "internal/testkit/..."},
		TestOnly: testSupport},
	{Name: "console only prints: it imports only executor and pipeline of ours", From: []string{"console/..."},
		Only: []string{"executor", "pipeline", "pipeline/plan", "pipeline/lint", "pipeline/policy"}},
	{Name: "localrun picks no backend or printer: cmd wires executor/host, executor/docker and console",
		From: []string{"localrun/..."}, Forbid: []string{"executor/host", "executor/docker", "console", "runner/...", "forge/..."}},
	{Name: "demo, internal/httpserve, internal/interrupt, internal/osproc and internal/prompt import nothing of ours", From: []string{"demo/...", "internal/httpserve", "internal/interrupt", "internal/osproc", "internal/prompt"}, Only: []string{}},
}

// applies reports whether r constrains package path. The pseudo-pattern
// "...not-cmd" matches every package of the module outside cmd/.
func (r Rule) applies(path string) bool {
	if match(r.Except, path) {
		return false
	}
	for _, p := range r.From {
		if p == "...not-cmd" {
			return !match([]string{"cmd/..."}, path) && strings.HasPrefix(path+"/", Module+"/")
		}
	}
	return match(r.From, path)
}

// Violation is one broken rule.
type Violation struct {
	Rule string
	// File breaks it (relative to the module root).
	File string
	// What the file does: "imports X" or "imports X, which imports Y".
	What string
}

func (v Violation) String() string {
	return fmt.Sprintf("rule %q: %s %s", v.Rule, v.File, v.What)
}

// Check returns every violation of rules in g, sorted.
func Check(g Graph, rules []Rule) []Violation {
	var out []Violation
	for path, files := range g {
		for _, r := range rules {
			if !r.applies(path) {
				continue
			}
			for _, f := range files {
				out = append(out, checkFile(g, r, f)...)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// testSupport are the test kits: packages made for tests only.
var testSupport = []string{"internal/testkit/...", "executor/executortest"}

func checkFile(g Graph, r Rule, f File) []Violation {
	var out []Violation
	seen := map[string]bool{}
	for _, imp := range f.Imports {
		if _, ours := relative(imp); !ours {
			continue
		}
		// A test may always use the test kits: the rule that keeps them
		// in tests is their own (testSupport).
		if r.Only != nil && !match(r.Only, imp) && !r.applies(imp) && !seen[imp] && !(f.Test && match(testSupport, imp)) {
			seen[imp] = true
			out = append(out, Violation{Rule: r.Name, File: f.Name, What: "imports " + imp})
		}
		if !f.Test && match(r.TestOnly, imp) {
			out = append(out, Violation{Rule: r.Name, File: f.Name, What: "imports " + imp + " outside a _test.go file"})
		}
		if len(r.Forbid) == 0 {
			continue
		}
		// A chain through a package the rule also covers is reported at
		// that package's own file.
		if chain := forbiddenChain(g, r, imp); chain != nil && (len(chain) == 1 || !r.applies(imp)) {
			what := "imports " + chain[0]
			for _, p := range chain[1:] {
				what += ", which imports " + p
			}
			out = append(out, Violation{Rule: r.Name, File: f.Name, What: what})
		}
	}
	if r.Grouped {
		if what := badGrouping(f.ImportGroups); what != "" {
			out = append(out, Violation{Rule: r.Name, File: f.Name, What: what})
		}
	}
	if !f.Test {
		for _, u := range f.Uses {
			rel, ok := relative(u)
			if !ok {
				continue
			}
			for _, p := range r.ForbidUses {
				if strings.HasPrefix(rel, p) {
					out = append(out, Violation{Rule: r.Name, File: f.Name, What: "calls " + rel})
				}
			}
		}
	}
	return out
}

// importClass orders import paths: standard library, third-party, ours.
func importClass(path string) int {
	if _, ours := relative(path); ours {
		return 2
	}
	if strings.Contains(strings.Split(path, "/")[0], ".") {
		return 1
	}
	return 0
}

var classNames = []string{"standard library", "third-party", "ours"}

// badGrouping says what is wrong with a file's import groups, or "".
func badGrouping(groups [][]string) string {
	last := -1
	for _, g := range groups {
		class := importClass(g[0])
		for _, path := range g[1:] {
			if c := importClass(path); c != class {
				return fmt.Sprintf("imports %s (%s) in one group with %s (%s)", path, classNames[c], g[0], classNames[class])
			}
		}
		if class < last {
			return fmt.Sprintf("imports the %s group (%s) after the %s group", classNames[class], g[0], classNames[last])
		}
		last = class
	}
	return ""
}

// forbiddenChain returns the shortest import chain from imp (inclusive) to
// a package r forbids, following non-test imports; nil when there is none.
func forbiddenChain(g Graph, r Rule, imp string) []string {
	prev := map[string]string{imp: ""}
	queue := []string{imp}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if match(r.Forbid, p) {
			var chain []string
			for ; p != ""; p = prev[p] {
				chain = append([]string{p}, chain...)
			}
			return chain
		}
		for _, f := range g[p] {
			if f.Test {
				continue
			}
			for _, next := range f.Imports {
				if _, ours := relative(next); !ours {
					continue
				}
				if _, ok := prev[next]; !ok {
					prev[next] = p
					queue = append(queue, next)
				}
			}
		}
	}
	return nil
}

// Load reads the graph of the module at dir with `go list -json ./...`,
// and the imports and qualified identifiers of each file with go/parser.
func Load(ctx context.Context, dir string) (Graph, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-json", "./...")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -json ./... in %s: %w: %s", dir, err, stderr.String())
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	g := Graph{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath                         string
			Dir                                string
			GoFiles, TestGoFiles, XTestGoFiles []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("reading go list output: %w", err)
		}
		var files []File
		for _, set := range []struct {
			names []string
			test  bool
		}{{p.GoFiles, false}, {p.TestGoFiles, true}, {p.XTestGoFiles, true}} {
			for _, name := range set.names {
				f, err := parseFile(filepath.Join(p.Dir, name))
				if err != nil {
					return nil, err
				}
				rel, err := filepath.Rel(root, filepath.Join(p.Dir, name))
				if err != nil {
					return nil, err
				}
				f.Name, f.Test = filepath.ToSlash(rel), set.test
				files = append(files, f)
			}
		}
		g[p.ImportPath] = files
	}
	return g, nil
}

// parseFile reads one file's imports and the qualified identifiers it uses.
func parseFile(file string) (File, error) {
	fset := token.NewFileSet()
	af, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
	if err != nil {
		return File{}, fmt.Errorf("parsing %s: %w", file, err)
	}
	var f File
	names := map[string]string{} // local name -> import path
	prevLine := 0
	for _, is := range af.Imports {
		path, err := strconv.Unquote(is.Path.Value)
		if err != nil {
			return File{}, fmt.Errorf("%s: import %s: %w", file, is.Path.Value, err)
		}
		f.Imports = append(f.Imports, path)
		line := fset.Position(is.Pos()).Line
		if n := len(f.ImportGroups); n == 0 || line > prevLine+1 {
			f.ImportGroups = append(f.ImportGroups, nil)
		}
		f.ImportGroups[len(f.ImportGroups)-1] = append(f.ImportGroups[len(f.ImportGroups)-1], path)
		prevLine = fset.Position(is.End()).Line
		name := filepath.Base(path)
		if is.Name != nil {
			name = is.Name.Name
		}
		names[name] = path
	}
	ast.Inspect(af, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok {
			if path, ok := names[id.Name]; ok {
				f.Uses = append(f.Uses, path+"."+sel.Sel.Name)
			}
		}
		return true
	})
	return f, nil
}
