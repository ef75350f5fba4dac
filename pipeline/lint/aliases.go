package lint

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// maxExpansion bounds the text that YAML aliases may expand to, so that
// a small file cannot grow without limit (anvil's parser reports such
// files).
const maxExpansion = 256 << 10

// aliasSpan is where an alias was expanded: on line, the alias token of
// token characters at column col of the file became width characters.
type aliasSpan struct {
	line, col    int
	token, width int
}

// aliasMap turns columns in the expanded text back into the file's.
type aliasMap []aliasSpan

// restore returns the file's column for column col of line in the
// expanded text: the alias's own column inside an expansion.
func (m aliasMap) restore(line, col int) int {
	shift := 0
	for _, s := range m {
		if s.line != line {
			continue
		}
		start := s.col + shift
		if col < start {
			break
		}
		if col < start+s.width {
			return s.col
		}
		shift += s.width - s.token
	}
	return col - shift
}

// expandAliases returns data with every YAML alias (*name) replaced by its
// anchored value written in flow style on the alias's line, because
// actionlint does not follow aliases and anvil does. Lines stay where they
// were, and the map gives columns back, so a finding inside an expanded
// value points at its alias. It reports false when data is not YAML that
// loads, or when its aliases expand too far.
func expandAliases(data []byte) ([]byte, aliasMap, bool) {
	if !mayHave(data, '&') || !mayHave(data, '*') {
		return data, nil, true
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, false
	}
	var aliases []*yaml.Node
	collectAliases(&doc, &aliases)
	if len(aliases) == 0 {
		return data, nil, true
	}
	// Replace from the end so that earlier positions stay valid.
	slices.SortFunc(aliases, func(a, b *yaml.Node) int {
		if a.Line != b.Line {
			return b.Line - a.Line
		}
		return b.Column - a.Column
	})
	lines := strings.SplitAfter(string(data), "\n")
	w := &flowWriter{budget: maxExpansion, active: map[*yaml.Node]bool{}}
	m := make(aliasMap, 0, len(aliases))
	for _, a := range aliases {
		if a.Line < 1 || a.Line > len(lines) {
			return nil, nil, false
		}
		text := lines[a.Line-1]
		at := byteColumn(text, a.Column)
		token := "*" + a.Value
		if at < 0 || !strings.HasPrefix(text[at:], token) {
			return nil, nil, false
		}
		w.b.Reset()
		if !w.node(a) {
			return nil, nil, false
		}
		flow := w.b.String()
		lines[a.Line-1] = text[:at] + flow + text[at+len(token):]
		m = append(m, aliasSpan{line: a.Line, col: a.Column,
			token: utf8.RuneCountInString(token), width: utf8.RuneCountInString(flow)})
	}
	slices.Reverse(m) // in file order
	return []byte(strings.Join(lines, "")), m, true
}

// mayHave reports whether data may hold an anchor (&name) or an alias
// (*name), as indicator is '&' or '*': the indicator at the start of a
// node, after white space or a flow indicator, followed by a name. It
// spares parsing the file again when it certainly has none; a "*.go" in a
// script only costs that parse.
func mayHave(data []byte, indicator byte) bool {
	for i := bytes.IndexByte(data, indicator); i >= 0; {
		if i+1 < len(data) && (i == 0 || bytes.IndexByte([]byte(" \t\n-:[{,?"), data[i-1]) >= 0) &&
			bytes.IndexByte([]byte(" \t\r\n,[]{}&*'\""), data[i+1]) < 0 {
			return true
		}
		next := bytes.IndexByte(data[i+1:], indicator)
		if next < 0 {
			return false
		}
		i += 1 + next
	}
	return false
}

// collectAliases appends the alias nodes under n, without following them.
func collectAliases(n *yaml.Node, out *[]*yaml.Node) {
	if n.Kind == yaml.AliasNode {
		*out = append(*out, n)
		return
	}
	for _, c := range n.Content {
		collectAliases(c, out)
	}
}

// byteColumn converts a 1-based column in characters into a byte offset
// in line, or -1.
func byteColumn(line string, col int) int {
	n := 1
	for i := range line {
		if n == col {
			return i
		}
		n++
	}
	return -1
}

// flowWriter writes YAML nodes as single-line flow YAML (JSON for
// strings), up to a budget of bytes over all it writes.
type flowWriter struct {
	b      strings.Builder
	budget int
	active map[*yaml.Node]bool
}

// write appends s and reports false once the budget is spent.
func (w *flowWriter) write(s string) bool {
	w.b.WriteString(s)
	w.budget -= len(s)
	return w.budget >= 0
}

// node writes n; it reports false when the budget runs out or an alias
// contains itself.
func (w *flowWriter) node(n *yaml.Node) bool {
	switch {
	case n == nil:
		return false
	case n.Kind == yaml.AliasNode:
		if w.active[n.Alias] {
			return false
		}
		w.active[n.Alias] = true
		defer delete(w.active, n.Alias)
		return w.node(n.Alias)
	case n.Kind == yaml.SequenceNode:
		return w.list("[", "]", n.Content, 1)
	case n.Kind == yaml.MappingNode:
		return w.list("{", "}", n.Content, 2)
	case n.Kind != yaml.ScalarNode:
		return false
	}
	switch n.ShortTag() {
	case "!!null":
		return w.write("null")
	case "!!bool", "!!int", "!!float":
		return w.write(n.Value)
	}
	q, err := json.Marshal(n.Value)
	return err == nil && w.write(string(q))
}

// list writes the items of a sequence (step 1) or the pairs of a mapping
// (step 2) between open and closing.
func (w *flowWriter) list(open, closing string, items []*yaml.Node, step int) bool {
	if !w.write(open) {
		return false
	}
	for i := 0; i+step-1 < len(items); i += step {
		if i > 0 && !w.write(", ") {
			return false
		}
		if !w.node(items[i]) {
			return false
		}
		if step == 2 && !(w.write(": ") && w.node(items[i+1])) {
			return false
		}
	}
	return w.write(closing)
}
