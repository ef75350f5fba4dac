package pipeline

import (
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// Limits on the workflow and action files anvil reads. They are checked
// before anything builds a tree of a file's expressions, so that no input
// can exhaust the stack or the memory of anvil lint, anvil exec or the
// daemon: the expression parsers (actionlint's, which act's evaluator uses
// too) recurse once per nesting level and hold about 1.6 KB per level, so
// a 2 MB expression nested a million parentheses deep overflows the stack
// and kills the process. Each limit is well above any real workflow and at
// or above GitHub's own (actions/runner's ParseOptions and
// ExpressionConstants), so nothing that GitHub runs is refused for it.
const (
	// MaxFileSize is the largest workflow or action file: GitHub's
	// MaxFileSize, 1 MiB.
	MaxFileSize = 1 << 20
	// MaxYAMLItems bounds the lines and collection items of a file
	// (counted on its text: line breaks, commas, brackets and the
	// ": ", "- " and "? " indicators), which bounds the nodes a YAML
	// decoder builds and so the memory of reading the file (about 400
	// bytes a node). Real workflows have a few thousand.
	MaxYAMLItems = 50_000
	// MaxYAMLDepth is the deepest nesting of mappings and lists: twice
	// GitHub's 50. Real workflows nest under 15 deep.
	MaxYAMLDepth = 100
	// MaxExpressionLength is the longest ${{ }} expression (or bare if:
	// condition), in bytes: GitHub allows 21,000 UTF-16 characters,
	// which take at most 63,000 bytes.
	MaxExpressionLength = 64 << 10
	// MaxExpressionDepth is the deepest nesting of parentheses and
	// brackets in an expression: twice GitHub's 50 (which counts every
	// function call and operator, so it is the stricter).
	MaxExpressionDepth = 100
)

// CheckLimits reports, as Errors, each limit (see MaxFileSize and the
// others) that a workflow or action file goes over, at the first place it
// does, or nil when it keeps them all. ParseWorkflow, ParseTaskWorkflow
// and ParseAction check them first; a caller that gives the file to
// another parser too (pipeline/lint gives it to actionlint) calls
// CheckLimits before. YAML that does not load is left to the parsers: it
// is within the limits that bound their cost.
func CheckLimits(file string, data []byte) error {
	p := &problems{file: file}
	if withinTextLimits(p, data) {
		var doc yaml.Node
		if decode(data, &doc) == nil {
			withinTreeLimits(p, &doc)
		}
	}
	return p.err()
}

// ReadFile reads a workflow or action file as os.ReadFile does, but no
// more than one byte over MaxFileSize, so that a huge file (or a device
// such as /dev/zero) costs no more memory than a file CheckLimits refuses.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxFileSize+1))
}

// decode is yaml.Unmarshal into a node tree, with a decoder panic turned
// into an error.
func decode(data []byte, doc *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cannot read YAML: %v", r)
		}
	}()
	return yaml.Unmarshal(data, doc)
}

// withinTextLimits checks the limits that can be checked on the text
// alone, before a YAML decoder sees it: its size and how many lines and
// items it has. It records what it finds in p.
func withinTextLimits(p *problems, data []byte) bool {
	if len(data) > MaxFileSize {
		p.add(nil, "the file is larger than 1 MiB; anvil reads workflow and action files up to %d bytes, as GitHub does: move parts of it into reusable workflows, composite actions or scripts in the repository", MaxFileSize)
		return false
	}
	if at := itemsOver(data, MaxYAMLItems); at >= 0 {
		line, col := offsetPosition(data, at)
		p.list = append(p.list, plan.Problem{Pos: plan.Position{File: p.file, Line: line, Column: col},
			Message: fmt.Sprintf("the file has more than %d YAML lines and items by here; anvil reads at most that many, so that reading a file takes bounded memory: split it into several workflows or move parts into reusable workflows or composite actions", MaxYAMLItems)})
		return false
	}
	return true
}

// itemsOver returns the offset in data at which it has more than max
// lines and items, or -1. Each node a YAML decoder builds comes with one
// of the characters counted (two nodes at most for a comma of a flow
// mapping), so the count bounds the decoded tree.
func itemsOver(data []byte, max int) int {
	n := 0
	for i, c := range data {
		switch c {
		case '\n', ',', '[', '{':
			n++
		case ':', '-', '?':
			if i+1 == len(data) {
				n++
				break
			}
			switch data[i+1] {
			case ' ', '\t', '\r', '\n':
				n++
			}
		default:
			continue
		}
		if n > max {
			return i
		}
	}
	return -1
}

// offsetPosition is the line and column (in characters, as yaml.v3
// counts) of byte offset off in data.
func offsetPosition(data []byte, off int) (line, col int) {
	line, start := 1, 0
	for i := 0; i < off && i < len(data); i++ {
		if data[i] == '\n' {
			line, start = line+1, i+1
		}
	}
	return line, len([]rune(string(data[start:off]))) + 1
}

// withinTreeLimits checks a decoded file's nesting and expressions
// before any other parser sees it, without recursion: the tree can be as
// deep as the decoder allows (10,000). It records the first place that
// goes over each limit in p.
func withinTreeLimits(p *problems, doc *yaml.Node) bool {
	type item struct {
		n     *yaml.Node
		depth int
		cond  bool // the value of an if: key
	}
	var deep, long, nested bool
	stack := []item{{n: doc}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := it.n
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				stack = append(stack, item{n: c, depth: it.depth})
			}
		case yaml.MappingNode, yaml.SequenceNode:
			d := it.depth + 1
			if d > MaxYAMLDepth {
				if !deep {
					deep = true
					p.add(n, "the YAML is nested more than %d levels deep here; anvil reads at most %d levels of mappings and lists (GitHub: 50): flatten the structure", MaxYAMLDepth, MaxYAMLDepth)
				}
				continue
			}
			for i := len(n.Content) - 1; i >= 0; i-- {
				c := n.Content[i]
				cond := n.Kind == yaml.MappingNode && i%2 == 1 && n.Content[i-1].Value == "if"
				stack = append(stack, item{n: c, depth: d, cond: cond})
			}
		case yaml.ScalarNode:
			for _, e := range expressionsIn(n.Value, it.cond) {
				if e.length > MaxExpressionLength && !long {
					long = true
					p.add(n, "an expression here is %d bytes long; anvil reads expressions up to %d bytes (GitHub: 21,000 characters): shorten it, for example by reading long data from a file in a step", e.length, MaxExpressionLength)
				}
				if e.depth > MaxExpressionDepth && !nested {
					nested = true
					p.add(n, "an expression here nests parentheses and brackets more than %d deep; anvil reads expressions up to %d levels (GitHub: 50): split it, for example into env: variables or step outputs", MaxExpressionDepth, MaxExpressionDepth)
				}
			}
		}
	}
	return !deep && !long && !nested
}

// exprSpan is the size of one expression in a scalar: its length in bytes
// and how deep its parentheses and brackets nest.
type exprSpan struct {
	length, depth int
}

// expressionsIn measures each ${{ }} expression in s, or s as a whole when
// it is a bare condition (the value of if:). It reads s as the
// expression lexers do: a '...' string (a quote in it is doubled) holds no
// nesting and no end, an expression ends at "}}" and one that does not
// end runs to the end of s. Parentheses count whether or not they
// balance, since a parser recurses before it finds out.
func expressionsIn(s string, bare bool) []exprSpan {
	if bare && !strings.HasPrefix(strings.TrimSpace(s), "${{") {
		length, depth, _ := measure(s)
		return []exprSpan{{length: length, depth: depth}}
	}
	var out []exprSpan
	for {
		i := strings.Index(s, "${{")
		if i < 0 {
			return out
		}
		s = s[i+3:]
		length, depth, end := measure(s)
		out = append(out, exprSpan{length: length, depth: depth})
		s = s[end:]
	}
}

// measure reads an expression from the start of s up to its closing "}}"
// (or the end of s) and returns its length, its deepest nesting and the
// offset just after it.
func measure(s string) (length, maxDepth, end int) {
	depth := 0
	inString := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inString {
			if c == '\'' {
				if i+1 < len(s) && s[i+1] == '\'' {
					i++
					continue
				}
				inString = false
			}
			continue
		}
		switch c {
		case '\'':
			inString = true
		case '(', '[':
			depth++
			maxDepth = max(maxDepth, depth)
		case ')', ']':
			depth = max(depth-1, 0)
		case '}':
			if i+1 < len(s) && s[i+1] == '}' {
				return i, maxDepth, i + 2
			}
		}
	}
	return len(s), maxDepth, len(s)
}
