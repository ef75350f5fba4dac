package executor

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
)

// maskText is what every occurrence of a secret becomes.
const maskText = "***"

// Masker hides registered secrets in text. Use NewMasker; the zero value is
// not ready for use. A Masker is safe for concurrent use: Add may run while
// other goroutines call Mask.
type Masker struct {
	mu    sync.Mutex // serialises Add
	known map[string]struct{}
	trie  atomic.Pointer[maskTrie] // rebuilt by Add, never mutated
}

// NewMasker returns a Masker with no secrets.
func NewMasker() *Masker {
	m := &Masker{known: map[string]struct{}{}}
	m.trie.Store(newMaskTrie(nil))
	return m
}

// Add registers a secret, as GitHub's add-mask does. Empty and
// whitespace-only values are ignored: masking every space would destroy the
// log without protecting anything. A multi-line value is registered whole
// and line by line (each line without its \r; blank lines skipped), so a
// secret still gets masked when it is printed one line at a time. The
// JSON-escaped form (e.g. with \n written as \\n) is registered too.
func (m *Masker) Add(value string) {
	candidates := []string{value, jsonEscape(value)}
	if strings.ContainsAny(value, "\r\n") {
		for line := range strings.Lines(value) {
			candidates = append(candidates, strings.TrimRight(line, "\r\n"))
		}
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	added := false
	for _, c := range candidates {
		if strings.TrimSpace(c) == "" {
			continue
		}
		if _, ok := m.known[c]; ok {
			continue
		}
		m.known[c] = struct{}{}
		added = true
	}
	if added {
		m.trie.Store(newMaskTrie(m.known))
	}
}

// Mask returns s with every occurrence of every secret replaced by ***.
// Where occurrences overlap or touch, the whole covered span becomes a
// single ***, so no fragment of any secret is left behind whatever the
// order of registration. Mask does not allocate when s contains no secret;
// its cost grows with the length of s, hardly with the number of secrets.
func (m *Masker) Mask(s string) string {
	t := m.trie.Load()
	if len(t.nodes) <= 2 { // only the sentinel and the root: no secrets
		return s
	}
	var b *strings.Builder
	written := 0         // bytes of s already copied to b
	start, end := -1, -1 // the current run of masked bytes
	for i := 0; i < len(s); i++ {
		if t.root[s[i]] == 0 {
			continue
		}
		n := t.longestAt(s, i)
		if n == 0 {
			continue
		}
		if start >= 0 && i <= end {
			end = max(end, i+n)
			continue
		}
		if start >= 0 {
			b.WriteString(s[written:start])
			b.WriteString(maskText)
			written = end
		}
		if b == nil {
			b = &strings.Builder{}
			b.Grow(len(s))
		}
		start, end = i, i+n
	}
	if b == nil {
		return s
	}
	b.WriteString(s[written:start])
	b.WriteString(maskText)
	b.WriteString(s[end:])
	return b.String()
}

// maskTrie is a byte trie of the secrets. Node 0 is a sentinel meaning "no
// node" and node 1 the root; the root's children are in a table so bytes
// that start no secret are rejected with one lookup.
type maskTrie struct {
	root  [256]int32
	nodes []trieNode
}

// trieNode is one trie node: its children and whether a secret ends here.
type trieNode struct {
	edges []trieEdge
	end   bool
}

// trieEdge leads to node next on byte b.
type trieEdge struct {
	b    byte
	next int32
}

// newMaskTrie builds the trie of secrets.
func newMaskTrie(secrets map[string]struct{}) *maskTrie {
	t := &maskTrie{nodes: make([]trieNode, 2)}
	for s := range secrets {
		n := t.child(1, s[0], true)
		for j := 1; j < len(s); j++ {
			n = t.child(n, s[j], true)
		}
		t.nodes[n].end = true
	}
	return t
}

// child returns node n's child on byte b, creating it when add is set, or
// 0 when there is none.
func (t *maskTrie) child(n int32, b byte, add bool) int32 {
	if n == 1 {
		if c := t.root[b]; c != 0 || !add {
			return c
		}
		t.root[b] = t.newNode()
		return t.root[b]
	}
	for _, e := range t.nodes[n].edges {
		if e.b == b {
			return e.next
		}
	}
	if !add {
		return 0
	}
	c := t.newNode()
	t.nodes[n].edges = append(t.nodes[n].edges, trieEdge{b, c})
	return c
}

func (t *maskTrie) newNode() int32 {
	t.nodes = append(t.nodes, trieNode{})
	return int32(len(t.nodes) - 1)
}

// longestAt returns the length of the longest secret starting at s[i], or
// 0 when none does.
func (t *maskTrie) longestAt(s string, i int) int {
	n := t.root[s[i]]
	longest := 0
	for j := i; n != 0; {
		if t.nodes[n].end {
			longest = j - i + 1
		}
		j++
		if j == len(s) {
			break
		}
		n = t.child(n, s[j], false)
	}
	return longest
}

// jsonEscape returns value as it appears inside a JSON string, without the
// quotes and without escaping <, > and &.
func jsonEscape(value string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(value); err != nil {
		return value
	}
	out := strings.TrimSuffix(buf.String(), "\n")
	return strings.TrimSuffix(strings.TrimPrefix(out, `"`), `"`)
}
