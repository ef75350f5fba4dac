package policy

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/ext"
)

// costLimit bounds the work of one rule on one job, so that a rule with
// a runaway comprehension fails instead of stalling every job.
const costLimit = 1_000_000

// Policy is one or more compiled policy files. It is safe for concurrent
// use: the engine evaluates it for parallel jobs.
type Policy struct {
	files []*compiledFile
}

// compiledFile is one file's rules, compiled, with its params and tests.
type compiledFile struct {
	path   string
	params ref.Val
	rules  []*rule
	tests  []Test
}

// rule is one compiled rule.
type rule struct {
	name    string
	mode    Mode
	message string
	prg     cel.Program
}

// Load reads and compiles the policy at path: a file, or a directory
// whose .yaml and .yml files are all loaded (sorted by name). Every rule
// is compiled once here; a bad rule is an error that names its file,
// line and rule and gives CEL's message.
func Load(path string) (*Policy, error) {
	files, err := policyFiles(path)
	if err != nil {
		return nil, err
	}
	specs := make([]*fileSpec, 0, len(files))
	for _, f := range files {
		s, err := readFile(f)
		if err != nil {
			return nil, err
		}
		specs = append(specs, s)
	}
	return compile(specs)
}

// Parse compiles one policy file's content; file names it in messages.
func Parse(file string, data []byte) (*Policy, error) {
	s, err := parseFile(file, data)
	if err != nil {
		return nil, err
	}
	return compile([]*fileSpec{s})
}

// compile compiles specs into a Policy; rule names must be unique across
// them.
func compile(specs []*fileSpec) (*Policy, error) {
	env, err := newEnv()
	if err != nil {
		return nil, fmt.Errorf("setting up CEL: %w", err)
	}
	p := &Policy{}
	owner := map[string]string{}
	var errs []string
	for _, s := range specs {
		cf := &compiledFile{path: s.path, tests: s.tests, params: types.DefaultTypeAdapter.NativeToValue(orEmpty(s.params))}
		for _, rs := range s.rules {
			if prev, ok := owner[rs.Name]; ok {
				errs = append(errs, fmt.Sprintf("%s:%d: rule %q is also defined in %s; rule names must be unique across the policy", s.path, rs.line, rs.Name, prev))
				continue
			}
			owner[rs.Name] = s.path
			r, err := compileRule(env, rs)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s:%d: rule %q: %v", s.path, rs.exprLine, rs.Name, err))
				continue
			}
			cf.rules = append(cf.rules, r)
		}
		for _, t := range s.tests {
			for _, name := range append(append([]string{}, t.Deny...), t.Warn...) {
				if !cf.has(name) {
					errs = append(errs, fmt.Sprintf("%s:%d: test %q expects rule %q, which this file does not define", s.path, t.Line, t.Name, name))
				}
			}
		}
		p.files = append(p.files, cf)
	}
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "\n"))
	}
	return p, nil
}

// has reports whether the file defines (or tried to define) rule name.
func (f *compiledFile) has(name string) bool {
	for _, r := range f.rules {
		if r.name == name {
			return true
		}
	}
	return false
}

// newEnv is the CEL environment every rule compiles in: the variables
// job, task and params, the strings, lists and sets extensions, and the
// image functions.
func newEnv() (*cel.Env, error) {
	opts := []cel.EnvOption{
		ext.NativeTypes(reflect.TypeFor[Job](), reflect.TypeFor[Task](), ext.ParseStructTag("json")),
		cel.Variable("job", cel.ObjectType("policy.Job")),
		cel.Variable("task", cel.ObjectType("policy.Task")),
		cel.Variable("params", cel.MapType(cel.StringType, cel.DynType)),
		cel.CrossTypeNumericComparisons(true),
		ext.Strings(), ext.Lists(), ext.Sets(),
	}
	return cel.NewEnv(append(opts, imageFunctions()...)...)
}

// compileRule type-checks a rule's expression: it must give a bool (true
// when the job complies) or a list (the values that break the rule, empty
// when it complies).
func compileRule(env *cel.Env, rs ruleSpec) (*rule, error) {
	ast, iss := env.CompileSource(common.NewStringSource(rs.Expression, "rule "+rs.Name))
	if iss.Err() != nil {
		return nil, fmt.Errorf("expression: %v", iss.Err())
	}
	switch out := ast.OutputType(); {
	case out == cel.BoolType, out.Kind() == types.ListKind, out == cel.DynType:
	default:
		return nil, fmt.Errorf("expression gives a %s; it must give a bool (true when the job complies) or a list of the values that break the rule", out)
	}
	prg, err := env.Program(ast, cel.CostLimit(costLimit), cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, fmt.Errorf("expression: %w", err)
	}
	return &rule{name: rs.Name, mode: rs.Mode, message: strings.TrimSpace(rs.Message), prg: prg}, nil
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// Rules returns the names of the policy's rules, in file order.
func (p *Policy) Rules() []string {
	var names []string
	for _, f := range p.files {
		for _, r := range f.rules {
			names = append(names, r.name)
		}
	}
	return names
}
