package pipeline

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// stepRun is a workflow with one step whose run: is script.
func stepRun(script string) string {
	return "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: " + script + "\n"
}

// stepIf is a workflow with one step whose if: is cond.
func stepIf(cond string) string {
	return "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n        if: " + cond + "\n"
}

// nestedMappings is YAML nested depth mappings deep in block style.
func nestedMappings(depth int) string {
	var b strings.Builder
	b.WriteString("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n        with:\n")
	for i := range depth {
		b.WriteString(strings.Repeat(" ", 10+i) + "k:\n")
	}
	b.WriteString(strings.Repeat(" ", 10+depth) + "k: v\n")
	return b.String()
}

func TestLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data string
		// want is a part of the one problem expected, at line:col;
		// empty when the file is within the limits.
		want      string
		line, col int
	}{
		{name: "file over 1 MiB", data: stepRun("echo " + strings.Repeat("x", MaxFileSize)), want: "larger than 1 MiB", line: 1, col: 1},
		{name: "file of 1 MiB", data: stepRun("echo") + "#" + strings.Repeat("x", MaxFileSize-len(stepRun("echo"))-1)},
		{name: "flow mapping of nulls", data: "a: {" + strings.Repeat("a,", MaxYAMLItems) + "}", want: "more than 50000 YAML lines and items", line: 1, col: 2*MaxYAMLItems + 2},
		{name: "many lines", data: strings.Repeat("#\n", MaxYAMLItems+1), want: "more than 50000 YAML lines and items", line: MaxYAMLItems + 1, col: 2},
		{name: "expression nested in parentheses", data: stepRun("${{ " + strings.Repeat("(", 101) + "1" + strings.Repeat(")", 101) + " }}"), want: "nests parentheses and brackets more than 100 deep", line: 6, col: 14},
		{name: "expression nested 100 deep", data: stepRun("${{ " + strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100) + " }}")},
		{name: "unclosed parentheses", data: stepRun("${{ " + strings.Repeat("(", 101)), want: "more than 100 deep", line: 6, col: 14},
		{name: "brackets", data: stepRun("${{ github" + strings.Repeat("[github", 101) + " }}"), want: "more than 100 deep", line: 6, col: 14},
		{name: "function calls", data: stepRun("'${{ " + strings.Repeat("format(''{0}'', ", 101) + "1" + strings.Repeat(")", 101) + " }}'"), want: "more than 100 deep", line: 6, col: 14},
		{name: "parentheses in strings", data: stepRun("${{ format('" + strings.Repeat("(", 200) + "', 1) }}")},
		{name: "quote escaped in a string", data: stepRun("\"${{ format('it''s " + strings.Repeat("(", 200) + "', 1) }}\"")},
		{name: "second expression", data: stepRun("${{ 'a}}' }} ${{ " + strings.Repeat("[", 101) + " }}"), want: "more than 100 deep", line: 6, col: 14},
		{name: "parentheses written as escapes", data: stepRun("\"${{ " + strings.Repeat("\\x28", 101) + "1 }}\""), want: "more than 100 deep", line: 6, col: 14},
		// The lexers read the second ${{ as part of the first one's string.
		{name: "unclosed string", data: stepRun("\"${{ \\x27 }} ${{ " + strings.Repeat("(", 101) + "1 }}\"")},
		{name: "bare if", data: stepIf(strings.Repeat("(", 101) + "true" + strings.Repeat(")", 101)), want: "more than 100 deep", line: 7, col: 13},
		{name: "parentheses in a script", data: stepRun(strings.Repeat("(", 200))},
		{name: "long expression", data: stepRun("${{ '" + strings.Repeat("x", MaxExpressionLength) + "' }}"), want: "65540 bytes long", line: 6, col: 14},
		{name: "expression of 64 KiB", data: stepRun("${{ '" + strings.Repeat("x", MaxExpressionLength-4) + "' }}")},
		{name: "long bare if", data: stepIf("github.ref == '" + strings.Repeat("x", MaxExpressionLength) + "'"), want: "65552 bytes long", line: 7, col: 13},
		{name: "deep flow YAML", data: "a: " + strings.Repeat("[", 101) + strings.Repeat("]", 101), want: "nested more than 100 levels", line: 1, col: 103},
		{name: "deep block YAML", data: nestedMappings(100), want: "nested more than 100 levels", line: 103, col: 106},
		{name: "YAML 100 deep", data: "a: " + strings.Repeat("[", 99) + strings.Repeat("]", 99)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := []byte(tt.data)
			err := CheckLimits("f.yml", data)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckLimits = %v, want nil", err)
				}
				return
			}
			var problems plan.Errors
			if !errors.As(err, &problems) || len(problems) != 1 {
				t.Fatalf("CheckLimits = %v, want one problem", err)
			}
			p := problems[0]
			if !strings.Contains(p.Message, tt.want) || p.Pos != (plan.Position{File: "f.yml", Line: tt.line, Column: tt.col}) {
				t.Errorf("CheckLimits = %v, want %q at f.yml:%d:%d", p, tt.want, tt.line, tt.col)
			}
			// The parsers report the same problem, and nothing else.
			for name, parse := range map[string]func(string, []byte) error{
				"ParseWorkflow":     func(f string, d []byte) error { _, err := ParseWorkflow(f, d); return err },
				"ParseTaskWorkflow": func(f string, d []byte) error { _, err := ParseTaskWorkflow(f, d); return err },
				"ParseAction":       func(f string, d []byte) error { _, err := ParseAction(f, d); return err },
			} {
				if err := parse("f.yml", data); err == nil || err.Error() != problems.Error() {
					t.Errorf("%s = %v, want %v", name, err, problems)
				}
			}
		})
	}
}

// TestLimitsLeaveRealFilesAlone checks every workflow and action in the
// repository's test data against the limits with room to spare: real
// files are far from them.
func TestLimitsLeaveRealFilesAlone(t *testing.T) {
	t.Parallel()
	var files []string
	err := filepath.WalkDir("../testdata", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".yml") || strings.HasSuffix(path, ".yaml")) {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("testdata/*/*.y*ml")
	files = append(files, more...)
	if len(files) < 50 {
		t.Fatalf("found %d YAML files in test data, want more than 50", len(files))
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckLimits(file, data); err != nil {
			t.Errorf("CheckLimits(%s) = %v, want nil", file, err)
		}
		if at := itemsOver(data, MaxYAMLItems/20); at >= 0 {
			t.Errorf("%s has more than %d lines and items, a twentieth of the limit", file, MaxYAMLItems/20)
		}
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) != nil {
			continue
		}
		if d := depth(&doc); d > MaxYAMLDepth/5 {
			t.Errorf("%s is nested %d deep, more than a fifth of the limit", file, d)
		}
	}
}

// depth is how deeply n's mappings and lists nest.
func depth(n *yaml.Node) int {
	d := 0
	for _, c := range n.Content {
		d = max(d, depth(c))
	}
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		d++
	}
	return d
}

func TestReadFileStopsAfterTheLimit(t *testing.T) {
	t.Parallel()
	data, err := ReadFile("/dev/zero")
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != MaxFileSize+1 {
		t.Fatalf("ReadFile(/dev/zero) read %d bytes, want %d", len(data), MaxFileSize+1)
	}
	if err := CheckLimits("zero.yml", data); err == nil || !strings.Contains(err.Error(), "zero.yml:1:1: the file is larger than 1 MiB") {
		t.Errorf("CheckLimits = %v, want the file size", err)
	}
}
