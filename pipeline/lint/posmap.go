package lint

import (
	"strings"
)

// posMap turns positions and messages that actionlint reports on a
// rewritten workflow back into ones about the file as written.
type posMap struct {
	rewrites []rewrite
	blocks   []block
	renames  []rename
}

// rewrite is one identifier replaced in an expression: at line and col of
// the rewritten text, delta more bytes than orig, the name written.
type rewrite struct {
	line, col int
	delta     int
	orig      string
}

// block is a literal block scalar (run: |) holding expressions.
// actionlint places an expression in it at the line of the "|" and the
// column of the "|" plus the expression's offset in the value, as if the
// value were one line; its real line and column are in the block's lines.
type block struct {
	// line and col are where the "|" is.
	line, col int
	// value is the scalar's value as written.
	value string
	// indent is the number of spaces before each line of the block.
	indent int
}

// rename replaces text in messages: a short action name by the URL the
// workflow wrote.
type rename struct {
	from, to string
}

func (m *posMap) addRewrite(r rewrite) { m.rewrites = append(m.rewrites, r) }
func (m *posMap) addBlock(b block)     { m.blocks = append(m.blocks, b) }
func (m *posMap) addRename(from, to string) {
	m.renames = append(m.renames, rename{from: from, to: to})
}

// restore maps an actionlint position and message back to the file.
func (m *posMap) restore(line, col int, msg string) (int, int, string) {
	for _, r := range m.renames {
		msg = strings.ReplaceAll(msg, r.from, r.to)
	}
	shift := 0
	for _, r := range m.rewrites {
		if r.line != line {
			continue
		}
		switch {
		case r.col == col:
			// The finding is about the context itself: name it as written.
			msg = strings.Replace(msg, `"github`, `"`+r.orig, 1)
		case r.col < col:
			shift += r.delta
		}
	}
	col -= shift
	for _, b := range m.blocks {
		if b.line != line || col <= b.col {
			continue
		}
		if l, c, ok := b.position(col - b.col); ok {
			return l, c, msg
		}
	}
	return line, col, msg
}

// position places offset off of the block's value in the file, or
// reports false when off is past the value.
func (b block) position(off int) (line, col int, ok bool) {
	if off > len(b.value) {
		return 0, 0, false
	}
	before := b.value[:off]
	lineStart := strings.LastIndexByte(before, '\n') + 1
	return b.line + 1 + strings.Count(before, "\n"), b.indent + off - lineStart + 1, true
}

// source gives access to the lines of the text actionlint parsed.
type source struct {
	data   []byte
	starts []int // byte offset of each line, computed on first use
}

func newSource(data []byte) *source { return &source{data: data} }

// lineText returns line n (1-based) without its newline, or "".
func (s *source) lineText(n int) string {
	if s.starts == nil {
		s.starts = []int{0}
		for i, c := range s.data {
			if c == '\n' {
				s.starts = append(s.starts, i+1)
			}
		}
	}
	if n < 1 || n > len(s.starts) {
		return ""
	}
	end := len(s.data)
	if n < len(s.starts) {
		end = s.starts[n] - 1
	}
	return strings.TrimSuffix(string(s.data[s.starts[n-1]:end]), "\r")
}

// literalBlock describes the scalar with value whose node is at line and
// col when it is a literal block ("|"), whose lines follow line one to one.
func (s *source) literalBlock(line, col int, value string) (block, bool) {
	text := s.lineText(line)
	if col < 1 || col > len(text) || text[col-1] != '|' {
		return block{}, false
	}
	for n := line + 1; n <= line+1+strings.Count(value, "\n"); n++ {
		t := s.lineText(n)
		if strings.TrimSpace(t) == "" {
			continue
		}
		return block{line: line, col: col, value: value, indent: len(t) - len(strings.TrimLeft(t, " "))}, true
	}
	return block{}, false
}
