package pipeline

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxExpandedNodes bounds the size of a document once YAML aliases are
// expanded, so that a small file cannot blow up into a huge tree.
const maxExpandedNodes = 200_000

// loadYAML decodes data into a node tree and returns its top-level node with
// aliases expanded, or nil when the file is empty or not YAML (recorded in p).
func loadYAML(data []byte, p *problems) (root *yaml.Node) {
	defer func() {
		// yaml.v3 reports most errors by panicking internally and
		// recovering; a panic that escapes is a decoder bug, and bad input
		// must still come back as a problem.
		if r := recover(); r != nil {
			p.add(nil, "cannot read YAML: %v", r)
			root = nil
		}
	}()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlErrorLine(err)
		p.add(&yaml.Node{Line: line, Column: 1}, "invalid YAML: %s", msg)
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		p.add(nil, "file has no YAML content")
		return nil
	}
	root = doc.Content[0]
	if hasAlias(root) {
		e := expander{p: p, budget: maxExpandedNodes, active: map[*yaml.Node]bool{}}
		root = e.copy(root)
	}
	return root
}

// yamlErrorLine splits yaml.v3's "yaml: line N: msg" into N and msg.
func yamlErrorLine(err error) (int, string) {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	rest, ok := strings.CutPrefix(msg, "line ")
	if !ok {
		return 1, msg
	}
	num, text, ok := strings.Cut(rest, ": ")
	if !ok {
		return 1, msg
	}
	line, err := strconv.Atoi(num)
	if err != nil || line < 1 {
		return 1, msg
	}
	return line, text
}

// hasAlias reports whether the tree under n holds an alias node. It does
// not follow aliases, so it ends even on cyclic documents.
func hasAlias(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode {
		return true
	}
	for _, c := range n.Content {
		if hasAlias(c) {
			return true
		}
	}
	return false
}

// expander copies a node tree, replacing each alias by a copy of what it
// points to. It reports aliases that contain themselves and trees that grow
// past the budget, putting null in their place.
type expander struct {
	p      *problems
	budget int
	active map[*yaml.Node]bool
}

func (e *expander) copy(n *yaml.Node) *yaml.Node {
	null := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
	if e.budget <= 0 {
		return null
	}
	e.budget--
	if e.budget == 0 {
		e.p.add(n, "document is too large once YAML aliases are expanded (more than %d nodes); use fewer aliases", maxExpandedNodes)
		return null
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return null
		}
		if e.active[n.Alias] {
			e.p.add(n, "YAML alias *%s is used inside its own anchor", n.Value)
			return null
		}
		e.active[n.Alias] = true
		c := e.copy(n.Alias)
		delete(e.active, n.Alias)
		return c
	}
	if n.Anchor != "" {
		e.active[n] = true
		defer delete(e.active, n)
	}
	c := *n
	if len(n.Content) > 0 {
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, child := range n.Content {
			c.Content[i] = e.copy(child)
		}
	}
	return &c
}

// isNull reports whether n is absent or a YAML null.
func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// describe names the kind of n for messages: "a string", "a list", ...
func describe(n *yaml.Node) string {
	switch {
	case isNull(n):
		return "null"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	}
	switch n.ShortTag() {
	case "!!bool":
		return "a boolean"
	case "!!int", "!!float":
		return "a number"
	}
	return "a string"
}

// text is the text of a scalar node as written in the YAML ("true", "3"),
// and "" for anything else.
func text(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || isNull(n) {
		return ""
	}
	return n.Value
}

// textList reads a scalar as a one-element list, or a list of scalars.
func textList(n *yaml.Node) []string {
	switch {
	case isNull(n):
		return nil
	case n.Kind == yaml.ScalarNode:
		return []string{n.Value}
	case n.Kind == yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind == yaml.ScalarNode && !isNull(c) {
				out = append(out, c.Value)
			}
		}
		return out
	}
	return nil
}

// textMap reads a mapping of names to scalars, scalars kept as their YAML
// text. It returns nil for an empty or non-mapping node.
func textMap(n *yaml.Node) map[string]string {
	if n == nil || n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return nil
	}
	out := make(map[string]string, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		out[n.Content[i].Value] = text(n.Content[i+1])
	}
	return out
}

// plain converts a node into plain data: nil, bool, float64 (every number,
// as in JSON), string, []any or map[string]any.
func plain(n *yaml.Node) any {
	switch {
	case isNull(n):
		return nil
	case n.Kind == yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			out[i] = plain(c)
		}
		return out
	case n.Kind == yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			out[n.Content[i].Value] = plain(n.Content[i+1])
		}
		return out
	case n.Kind != yaml.ScalarNode:
		return nil
	}
	switch n.ShortTag() {
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		var i int64
		if n.Decode(&i) == nil {
			return float64(i)
		}
		var u uint64
		if n.Decode(&u) == nil {
			return float64(u)
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f
		}
	}
	return n.Value
}

// isExpr reports whether s holds a ${{ }} expression.
func isExpr(s string) bool {
	return strings.Contains(s, "${{")
}

// pathKey extends a dotted path like "jobs.build" with key.
func pathKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// pathIndex extends a path with a list index: "steps[2]".
func pathIndex(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}
