package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Mode says what a broken rule does.
type Mode string

const (
	// ModeDeny fails the job before its first step.
	ModeDeny Mode = "deny"
	// ModeWarn writes the same line to the job's log; the job runs.
	ModeWarn Mode = "warn"
)

// ruleSpec is one rule as written.
type ruleSpec struct {
	Name       string
	Expression string
	Message    string
	Mode       Mode
	line       int
	exprLine   int
}

// Test is one case of a policy file's tests block: an input and the rules
// expected to deny and to warn on it (every other rule must allow).
type Test struct {
	Name  string
	File  string
	Line  int
	Input Input
	Deny  []string
	Warn  []string
}

// fileSpec is a policy file as written.
type fileSpec struct {
	path   string
	params map[string]any
	rules  []ruleSpec
	tests  []Test
}

// readFile reads and checks the policy file at path.
func readFile(path string) (*fileSpec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the policy file: %w", err)
	}
	return parseFile(path, data)
}

// parseFile reads a policy file's YAML; every problem is named with its
// file and line.
func parseFile(path string, data []byte) (*fileSpec, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f := &fileSpec{path: path}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("%s: the policy file is empty; add a rules: list (see docs/policy.md)", path)
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: a policy file is a mapping with rules, params and tests", path, doc.Line)
	}
	var errs []string
	bad := func(n *yaml.Node, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("%s:%d: %s", path, n.Line, fmt.Sprintf(format, args...)))
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		switch k.Value {
		case "params":
			if err := v.Decode(&f.params); err != nil || (v.Kind != yaml.MappingNode && v.Tag != "!!null") {
				bad(v, "params must be a mapping of names to values")
			}
		case "rules":
			f.rules = parseRules(v, bad)
		case "tests":
			f.tests = parseTests(path, v, bad)
		default:
			bad(k, "unknown key %q; a policy file has rules, params and tests", k.Value)
		}
	}
	if len(f.rules) == 0 && len(errs) == 0 {
		bad(doc, "the policy file has no rules; add a rules: list (see docs/policy.md)")
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return f, nil
}

// parseRules reads the rules list.
func parseRules(n *yaml.Node, bad func(*yaml.Node, string, ...any)) []ruleSpec {
	if n.Kind != yaml.SequenceNode {
		bad(n, "rules must be a list of rules, each with name, expression, message and mode")
		return nil
	}
	var rules []ruleSpec
	seen := map[string]bool{}
	for _, rn := range n.Content {
		if rn.Kind != yaml.MappingNode {
			bad(rn, "a rule is a mapping with name, expression, message and mode")
			continue
		}
		r := ruleSpec{line: rn.Line, Mode: ModeDeny}
		for i := 0; i+1 < len(rn.Content); i += 2 {
			k, v := rn.Content[i], rn.Content[i+1]
			if v.Kind != yaml.ScalarNode {
				bad(v, "rule key %s must be a string", k.Value)
				continue
			}
			switch k.Value {
			case "name":
				r.Name = v.Value
			case "expression":
				r.Expression, r.exprLine = v.Value, v.Line
			case "message":
				r.Message = v.Value
			case "mode":
				r.Mode = Mode(v.Value)
			case "description":
			default:
				bad(k, "unknown rule key %q; a rule has name, description, expression, message and mode", k.Value)
			}
		}
		switch {
		case r.Name == "":
			bad(rn, "a rule has no name; give every rule a unique name")
			continue
		case seen[r.Name]:
			bad(rn, "rule %q: a rule of that name comes earlier; rule names must be unique", r.Name)
		case strings.TrimSpace(r.Expression) == "":
			bad(rn, "rule %q has no expression; add a CEL expression that is true when the job complies", r.Name)
		case strings.TrimSpace(r.Message) == "":
			bad(rn, "rule %q has no message; say what the rule requires and how to comply", r.Name)
		case r.Mode != ModeDeny && r.Mode != ModeWarn:
			bad(rn, "rule %q: mode %q must be deny or warn", r.Name, r.Mode)
		}
		seen[r.Name] = true
		rules = append(rules, r)
	}
	return rules
}

// parseTests reads the tests list.
func parseTests(path string, n *yaml.Node, bad func(*yaml.Node, string, ...any)) []Test {
	if n.Kind != yaml.SequenceNode {
		bad(n, "tests must be a list of cases, each with name, input and expect")
		return nil
	}
	var tests []Test
	for _, tn := range n.Content {
		var raw struct {
			Name   string         `yaml:"name"`
			Input  map[string]any `yaml:"input"`
			Expect struct {
				Deny []string `yaml:"deny"`
				Warn []string `yaml:"warn"`
			} `yaml:"expect"`
		}
		if err := strictDecode(tn, &raw); err != nil {
			bad(tn, "test: %v", err)
			continue
		}
		t := Test{Name: raw.Name, File: path, Line: tn.Line, Deny: raw.Expect.Deny, Warn: raw.Expect.Warn}
		if t.Name == "" {
			bad(tn, "a test has no name; name every test")
			continue
		}
		in, err := decodeInput(raw.Input)
		if err != nil {
			bad(tn, "test %q: input: %v", t.Name, err)
			continue
		}
		t.Input = *in
		tests = append(tests, t)
	}
	return tests
}

// strictDecode decodes n into v, refusing keys v has no field for.
func strictDecode(n *yaml.Node, v any) error {
	data, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	return dec.Decode(v)
}

// decodeInput converts plain data (a test's input, a JSON file) into an
// Input through its json names, refusing unknown fields.
func decodeInput(v any) (*Input, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return DecodeInput(data)
}

// DecodeInput reads an Input from JSON, refusing unknown fields so that
// a misspelt field is an error rather than an empty value.
func DecodeInput(data []byte) (*Input, error) {
	in := &Input{}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(in); err != nil {
		return nil, err
	}
	return in, nil
}

// policyFiles returns path itself, or for a directory the .yaml and .yml
// files in it, sorted.
func policyFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading the policy: %w", err)
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("reading the policy directory: %w", err)
	}
	var files []string
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
			files = append(files, filepath.Join(path, e.Name()))
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("the policy directory %s has no .yaml files", path)
	}
	slices.Sort(files)
	return files, nil
}
