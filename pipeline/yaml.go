package pipeline

import (
	"errors"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxExpandedNodes bounds the size of a document once YAML aliases are
// expanded, so that a small file cannot blow up into a huge tree: twice
// what MaxYAMLItems lets a file have without aliases.
const maxExpandedNodes = 100_000

// loadYAML decodes data into a node tree and returns its top-level node with
// aliases expanded, or nil when the file is empty, not YAML or over the
// limits (see CheckLimits; recorded in p).
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
	if !withinTextLimits(p, data) {
		return nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlErrorLine(err)
		p.add(&yaml.Node{Line: line, Column: 1}, "invalid YAML: %s", msg)
		return nil
	}
	if !withinTreeLimits(p, &doc) {
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		p.add(nil, "file has no YAML content")
		return nil
	}
	root = doc.Content[0]
	if isNull(root) {
		p.add(root, "the file must be a mapping, got null")
		return nil
	}
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
