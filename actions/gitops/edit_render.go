package gitops

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// render produces the edited file: the original bytes with the changed
// values spliced in when only values changed (checked by parsing the
// result), else the documents re-encoded.
func (d *document) render() (*Edit, error) {
	e := &Edit{Out: d.src, Old: d.old, New: d.new, Changed: d.changed}
	if !d.changed {
		return e, nil
	}
	if !d.structural {
		if out, ok := d.splice(); ok {
			e.Out = out
			return e, nil
		}
	}
	out, err := d.reencode()
	if err != nil {
		return nil, err
	}
	e.Out, e.Reformatted = out, true
	return e, nil
}

// scalarStyle chooses the style and tag of an edited scalar: quoted
// scalars stay quoted alike, and a plain string is quoted when the new
// value would read as another type (1.10 as a number, on as a boolean).
func scalarStyle(e *scalarEdit, value string) (yaml.Style, string) {
	base := e.oldStyle &^ yaml.TaggedStyle
	tagged := e.oldStyle & yaml.TaggedStyle
	switch {
	case base&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return e.oldStyle, "!!str"
	case tagged != 0:
		if plainTag(value) == "" {
			return tagged | yaml.DoubleQuotedStyle, e.oldTag
		}
		return e.oldStyle, e.oldTag
	}
	t := plainTag(value)
	switch {
	case t == "":
		return yaml.DoubleQuotedStyle, "!!str"
	case e.oldTag == "!!str" && (t != "!!str" || yaml11Special(value)):
		return yaml.DoubleQuotedStyle, "!!str"
	}
	return 0, t
}

// plainTag is the tag v resolves to written plain, or "" when it cannot be
// written plain.
func plainTag(v string) string {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(v), &n); err != nil || len(n.Content) != 1 {
		return ""
	}
	s := n.Content[0]
	if s.Kind != yaml.ScalarNode || s.Style != 0 || s.Value != v {
		return ""
	}
	return s.Tag
}

// yaml11Special reports plain words that YAML 1.1 readers (Helm,
// Kubernetes' sigs.k8s.io/yaml) take for booleans.
func yaml11Special(v string) bool {
	switch strings.ToLower(v) {
	case "y", "yes", "n", "no", "on", "off", "true", "false":
		return true
	}
	return false
}

// splice replaces each edited scalar's text in the source. It fails (false)
// when a scalar's extent cannot be found or the result does not parse to
// the edited documents.
func (d *document) splice() ([]byte, bool) {
	type replacement struct {
		start, end int
		text       string
	}
	lines := lineStarts(d.src)
	var reps []replacement
	for _, e := range d.edits {
		start, end, ok := scalarExtent(d.src, lines, e)
		if !ok {
			return nil, false
		}
		text, ok := scalarText(e.node)
		if !ok {
			return nil, false
		}
		reps = append(reps, replacement{start, end, text})
	}
	indent := detectIndent(d.docs)
	for _, ins := range d.inserts {
		pos, text, ok := insertionText(d.src, lines, ins, indent)
		if !ok {
			return nil, false
		}
		reps = append(reps, replacement{pos, pos, text})
	}
	sort.SliceStable(reps, func(i, j int) bool { return reps[i].start > reps[j].start })
	out := append([]byte(nil), d.src...)
	for i, r := range reps {
		if i > 0 && r.end > reps[i-1].start {
			return nil, false
		}
		out = append(out[:r.start], append([]byte(r.text), out[r.end:]...)...)
	}
	if !sameDocuments(out, d.docs) {
		return nil, false
	}
	return out, true
}

// insertionText is where and what to splice in for ins: the new nodes
// encoded at the collection's indentation, after its last line. Flow
// collections, empty ones and ones ending in multi-line values are not
// spliced.
func insertionText(src []byte, lines []int, ins insertion, indent int) (int, string, bool) {
	p := ins.parent
	orig := p.Content[:len(p.Content)-len(ins.nodes)]
	if p.Style&yaml.FlowStyle != 0 || len(orig) == 0 || p.Line == 0 {
		return 0, "", false
	}
	last := 0
	for _, n := range orig {
		l, ok := lastLine(n)
		if !ok {
			return 0, "", false
		}
		last = max(last, l)
	}
	col := p.Column // a sequence's dash
	snippet := &yaml.Node{Kind: p.Kind, Tag: p.Tag, Content: ins.nodes}
	if p.Kind == yaml.MappingNode {
		col = orig[0].Column
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(indent)
	if enc.Encode(snippet) != nil || enc.Close() != nil {
		return 0, "", false
	}
	pad := strings.Repeat(" ", col-1)
	var b strings.Builder
	for _, l := range strings.SplitAfter(buf.String(), "\n") {
		if l != "" {
			b.WriteString(pad + l)
		}
	}
	pos := len(src)
	if last < len(lines) {
		pos = lines[last]
	}
	text := b.String()
	if pos == len(src) && len(src) > 0 && src[len(src)-1] != '\n' {
		text = "\n" + text
	}
	return pos, text, true
}

// lastLine is the last line n's text is on, or false when that is not
// clear (multi-line values, flow collections over several lines).
func lastLine(n *yaml.Node) (int, bool) {
	switch {
	case n.Kind == yaml.ScalarNode && (n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || strings.Contains(n.Value, "\n")):
		return 0, false
	case n.Style&yaml.FlowStyle != 0 && len(n.Content) > 0:
		for _, c := range n.Content {
			if l, ok := lastLine(c); !ok || l != n.Line {
				return 0, false
			}
		}
	}
	last := n.Line
	for _, c := range n.Content {
		l, ok := lastLine(c)
		if !ok {
			return 0, false
		}
		last = max(last, l)
	}
	return last, true
}

func lineStarts(src []byte) []int {
	starts := []int{0}
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// scalarExtent finds the bytes of e's original value text (after its
// anchor and tag).
func scalarExtent(src []byte, lines []int, e *scalarEdit) (int, int, bool) {
	n := e.node
	if n.Line < 1 || n.Line > len(lines) || n.Column < 1 {
		return 0, 0, false
	}
	pos := lines[n.Line-1]
	for range n.Column - 1 {
		if pos >= len(src) {
			return 0, 0, false
		}
		_, size := utf8.DecodeRune(src[pos:])
		pos += size
	}
	skipToken := func(prefix byte) bool {
		if pos >= len(src) || src[pos] != prefix {
			return false
		}
		for pos < len(src) && src[pos] != ' ' && src[pos] != '\t' {
			pos++
		}
		for pos < len(src) && (src[pos] == ' ' || src[pos] == '\t') {
			pos++
		}
		return true
	}
	if n.Anchor != "" && !skipToken('&') {
		return 0, 0, false
	}
	if e.oldStyle&yaml.TaggedStyle != 0 && !skipToken('!') {
		return 0, 0, false
	}
	start := pos
	switch base := e.oldStyle &^ yaml.TaggedStyle; base {
	case 0:
		if !bytes.HasPrefix(src[start:], []byte(e.oldValue)) || strings.ContainsAny(e.oldValue, "\n") {
			return 0, 0, false
		}
		return start, start + len(e.oldValue), true
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		q := byte('"')
		if base == yaml.SingleQuotedStyle {
			q = '\''
		}
		if start >= len(src) || src[start] != q {
			return 0, 0, false
		}
		for i := start + 1; i < len(src); i++ {
			switch {
			case q == '"' && src[i] == '\\':
				i++
			case q == '\'' && src[i] == '\'' && i+1 < len(src) && src[i+1] == '\'':
				i++
			case src[i] == q:
				return start, i + 1, true
			}
		}
	}
	return 0, 0, false
}

// scalarText is how n's value is written in its style, on one line.
func scalarText(n *yaml.Node) (string, bool) {
	c := &yaml.Node{Kind: yaml.ScalarNode, Value: n.Value, Style: n.Style &^ yaml.TaggedStyle}
	if c.Style != 0 {
		c.Tag = "!!str"
	}
	out, err := yaml.Marshal(c)
	if err != nil {
		return "", false
	}
	text := strings.TrimSuffix(string(out), "\n")
	if strings.Contains(text, "\n") {
		return "", false
	}
	return text, true
}

// sameDocuments reports whether out parses to the same data as docs.
func sameDocuments(out []byte, docs []*yaml.Node) bool {
	dec := yaml.NewDecoder(bytes.NewReader(out))
	for _, want := range docs {
		var got yaml.Node
		if err := dec.Decode(&got); err != nil {
			return false
		}
		var gv, wv any
		if got.Decode(&gv) != nil || want.Decode(&wv) != nil || !reflect.DeepEqual(gv, wv) {
			return false
		}
	}
	var extra yaml.Node
	return errors.Is(dec.Decode(&extra), io.EOF)
}

// reencode writes the documents with yaml.v3, indented like the source.
func (d *document) reencode() ([]byte, error) {
	var buf bytes.Buffer
	if bytes.HasPrefix(d.src, []byte("---")) {
		buf.WriteString("---\n")
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(detectIndent(d.docs))
	for _, doc := range d.docs {
		if err := enc.Encode(doc); err != nil {
			return nil, fmt.Errorf("writing the YAML: %w", err)
		}
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("writing the YAML: %w", err)
	}
	return buf.Bytes(), nil
}

// detectIndent is the indentation of the first nested block mapping, or 2.
func detectIndent(docs []*yaml.Node) int {
	var walk func(n *yaml.Node) int
	walk = func(n *yaml.Node) int {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if v.Kind == yaml.MappingNode && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0 && v.Line > k.Line {
					if ind := v.Content[0].Column - k.Column; ind > 0 && ind <= 8 {
						return ind
					}
				}
			}
		}
		for _, c := range n.Content {
			if ind := walk(c); ind > 0 {
				return ind
			}
		}
		return 0
	}
	for _, d := range docs {
		if ind := walk(d); ind > 0 {
			return ind
		}
	}
	return 2
}
