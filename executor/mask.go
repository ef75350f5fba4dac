package executor

import (
	"slices"
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
	mu    sync.Mutex               // serialises Add
	added map[string]struct{}      // values given to Add
	known map[string]struct{}      // what is masked: the values, their lines and encodings
	trie  atomic.Pointer[maskTrie] // built from known by Add, never mutated
}

// NewMasker returns a Masker with no secrets.
func NewMasker() *Masker {
	m := &Masker{added: map[string]struct{}{}, known: map[string]struct{}{}}
	m.trie.Store(newMaskTrie(nil))
	return m
}

// Add registers a secret, as GitHub's add-mask does. Empty and
// whitespace-only values are ignored: masking every space would destroy the
// log without protecting anything. A multi-line value is registered whole
// and line by line (each line without its \r; blank lines skipped), so a
// secret still gets masked when it is printed one line at a time. Each of
// these is masked in its encoded forms too, as GitHub's runner masks them:
// JSON-escaped, percent-encoded and base64-encoded (see encodedForms).
func (m *Masker) Add(value string) {
	m.mu.Lock()
	_, seen := m.added[value]
	m.mu.Unlock()
	if seen || strings.TrimSpace(value) == "" {
		return
	}
	raw := []string{value}
	if strings.ContainsAny(value, "\r\n") {
		for line := range strings.Lines(value) {
			raw = append(raw, strings.TrimRight(line, "\r\n"))
		}
	}
	var candidates []string
	for _, r := range raw {
		if strings.TrimSpace(r) == "" {
			continue
		}
		candidates = append(append(candidates, r), encodedForms(r)...)
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	m.added[value] = struct{}{}
	added := false
	for _, c := range candidates {
		if _, ok := m.known[c]; !ok {
			m.known[c] = struct{}{}
			added = true
		}
	}
	if added {
		m.trie.Store(newMaskTrie(m.known))
	}
}

// current returns the trie of every secret added so far.
func (m *Masker) current() *maskTrie { return m.trie.Load() }

// Mask returns s with every occurrence of every secret replaced by ***.
// Where occurrences overlap or touch, the whole covered span becomes a
// single ***, so no fragment of any secret is left behind whatever the
// order of registration. Mask does not allocate when s contains no secret;
// its cost grows with the length of s, hardly with the number of secrets.
func (m *Masker) Mask(s string) string {
	t := m.current()
	if len(t.nodes) <= 2 { // only the sentinel and the root: no secrets
		return s
	}
	var b *strings.Builder
	written := 0         // bytes of s already copied to b
	start, end := -1, -1 // the current run of masked bytes
	for i := 0; i < len(s); i++ {
		if !t.mayStartAt(s, i) {
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

// trieDepth is how deep the trie goes. A secret longer than this is kept
// whole at the node its first trieDepth bytes lead to and compared there,
// so a 1 MiB secret costs trieDepth nodes, not a million.
const trieDepth = 64

// denseEdges is the number of children above which a node looks its
// children up in a table instead of a list.
const denseEdges = 8

// maskTrie is a byte trie of the secrets. Node 0 is a sentinel meaning "no
// node" and node 1 the root; the root's children are in a table so bytes
// that start no secret are rejected with one lookup.
type maskTrie struct {
	root  [256]int32
	pairs [1 << 16 / 64]uint64 // bit b0<<8|b1 is set when a secret starts with b0 b1
	nodes []trieNode
}

// trieNode is one trie node: its children, whether a secret ends here, and
// the secrets longer than trieDepth whose first trieDepth bytes lead here,
// longest first.
type trieNode struct {
	edges []trieEdge
	table *[256]int32 // the children, when there are more than denseEdges
	end   bool
	long  []string
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
		n := int32(1)
		for j := 0; j < len(s) && j < trieDepth; j++ {
			n = t.child(n, s[j], true)
		}
		if len(s) > 1 {
			p := uint16(s[0])<<8 | uint16(s[1])
			t.pairs[p/64] |= 1 << (p % 64)
		}
		if len(s) <= trieDepth {
			t.nodes[n].end = true
		} else {
			t.nodes[n].long = append(t.nodes[n].long, s)
		}
	}
	for i := range t.nodes {
		n := &t.nodes[i]
		slices.SortFunc(n.long, func(a, b string) int { return len(b) - len(a) })
		if len(n.edges) > denseEdges {
			n.table = new([256]int32)
			for _, e := range n.edges {
				n.table[e.b] = e.next
			}
		}
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
	if tab := t.nodes[n].table; tab != nil {
		return tab[b]
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

// mayStartAt is a quick check of whether a secret may start at s[i]: one
// of one byte does, or one starts with the two bytes there.
func (t *maskTrie) mayStartAt(s string, i int) bool {
	n := t.root[s[i]]
	if n == 0 {
		return false
	}
	if t.nodes[n].end {
		return true
	}
	if i+1 == len(s) {
		return false
	}
	p := uint16(s[i])<<8 | uint16(s[i+1])
	return t.pairs[p/64]&(1<<(p%64)) != 0
}

// longestAt returns the length of the longest secret starting at s[i], or
// 0 when none does.
func (t *maskTrie) longestAt(s string, i int) int {
	n := t.root[s[i]]
	longest := 0
	for j := i + 1; ; j++ {
		node := &t.nodes[n]
		if node.end {
			longest = j - i
		}
		if node.long != nil {
			for _, p := range node.long {
				// The first trieDepth bytes matched; the last ones are
				// compared next, as a secret repeating with a short period
				// matches its own first bytes at many places.
				if e := i + len(p); e <= len(s) && s[e-trieDepth:e] == p[len(p)-trieDepth:] && s[i:e] == p {
					return len(p)
				}
			}
		}
		if j == len(s) {
			return longest
		}
		if node.table != nil {
			n = node.table[s[j]]
		} else {
			n = 0
			for _, e := range node.edges {
				if e.b == s[j] {
					n = e.next
					break
				}
			}
		}
		if n == 0 {
			return longest
		}
	}
}
