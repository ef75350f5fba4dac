package gitops

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// segment is one step of a YAML path: a mapping key, a sequence index, or
// the sequence element whose field SelKey equals SelValue.
type segment struct {
	Key      string
	Index    int // -1 unless an index
	SelKey   string
	SelValue string
}

func (s segment) String() string {
	switch {
	case s.Index >= 0:
		return fmt.Sprintf("[%d]", s.Index)
	case s.SelKey != "":
		return fmt.Sprintf("[%s=%s]", s.SelKey, s.SelValue)
	case strings.ContainsAny(s.Key, ".[]= \"'"):
		return strconv.Quote(s.Key)
	}
	return s.Key
}

// parsePath reads a YAML path: keys separated by dots, [N] for a sequence
// index, [key=value] for the sequence element whose key has that value,
// and ["a.b"] (or 'a.b') for keys with dots or brackets. Examples:
// image.tag, images[name=web].newTag,
// spec.template.spec.containers[0].image,
// metadata.annotations["app.kubernetes.io/version"].
func parsePath(p string) ([]segment, error) {
	var segs []segment
	bad := func(why string) error {
		return fmt.Errorf("path %q: %s; write keys separated by dots, [N] for an index, [key=value] to pick a list element, [\"a.b\"] for keys with dots", p, why)
	}
	i := 0
	for i < len(p) {
		switch c := p[i]; {
		case c == '.':
			if i == 0 || i+1 >= len(p) || p[i+1] == '.' || p[i+1] == '[' {
				return nil, bad(fmt.Sprintf("misplaced dot at %d", i))
			}
			i++
		case c == '[':
			end := strings.IndexByte(p[i:], ']')
			inner := ""
			if end > 0 {
				inner = p[i+1 : i+end]
			}
			if q := quoted(p[i+1:]); q >= 0 {
				key, err := strconv.Unquote(normQuote(p[i+1 : i+1+q]))
				if err != nil || i+1+q >= len(p) || p[i+1+q] != ']' {
					return nil, bad("unterminated quoted key")
				}
				segs = append(segs, segment{Key: key, Index: -1})
				i += q + 2
				continue
			}
			if end < 0 {
				return nil, bad("missing ]")
			}
			if k, v, ok := strings.Cut(inner, "="); ok {
				if k == "" {
					return nil, bad("empty key in [key=value]")
				}
				segs = append(segs, segment{SelKey: strings.TrimSpace(k), SelValue: strings.TrimSpace(v), Index: -1})
			} else {
				n, err := strconv.Atoi(inner)
				if err != nil || n < 0 {
					return nil, bad(fmt.Sprintf("[%s] is neither an index nor key=value", inner))
				}
				segs = append(segs, segment{Index: n})
			}
			i += end + 1
		default:
			j := i
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			segs = append(segs, segment{Key: p[i:j], Index: -1})
			i = j
		}
	}
	if len(segs) == 0 {
		return nil, bad("empty")
	}
	return segs, nil
}

// quoted returns the length of a quoted string at the start of s
// (quotes included), or -1.
func quoted(s string) int {
	if s == "" || (s[0] != '"' && s[0] != '\'') {
		return -1
	}
	q := s[0]
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case q:
			return i + 1
		}
	}
	return -1
}

// normQuote turns a single-quoted key into a double-quoted one.
func normQuote(s string) string {
	if strings.HasPrefix(s, "'") {
		return strconv.Quote(s[1 : len(s)-1])
	}
	return s
}

func pathString(segs []segment) string {
	var b strings.Builder
	for i, s := range segs {
		if i > 0 && s.Index < 0 && s.SelKey == "" {
			b.WriteByte('.')
		}
		b.WriteString(s.String())
	}
	return b.String()
}

// lookup walks segs from n. It returns the node found, or the deepest
// mapping reached and how many segments matched when a mapping key is
// missing (the rest can be created).
func lookup(n *yaml.Node, segs []segment) (found *yaml.Node, parent *yaml.Node, matched int, err error) {
	cur := n
	for i, s := range segs {
		if cur.Kind == yaml.AliasNode {
			return nil, nil, i, fmt.Errorf("%s goes through the alias *%s; edit the anchored node instead", pathString(segs[:i]), cur.Value)
		}
		switch {
		case s.Index >= 0:
			if cur.Kind != yaml.SequenceNode {
				return nil, nil, i, fmt.Errorf("%s is not a list, so %s does not apply", where(segs[:i]), s)
			}
			if s.Index >= len(cur.Content) {
				return nil, nil, i, fmt.Errorf("%s has %d elements, so %s is out of range", where(segs[:i]), len(cur.Content), s)
			}
			cur = cur.Content[s.Index]
		case s.SelKey != "":
			if cur.Kind != yaml.SequenceNode {
				return nil, nil, i, fmt.Errorf("%s is not a list, so %s does not apply", where(segs[:i]), s)
			}
			next := selectElement(cur, s.SelKey, s.SelValue)
			if next == nil {
				return nil, nil, i, fmt.Errorf("%s has no element with %s: %s", where(segs[:i]), s.SelKey, s.SelValue)
			}
			cur = next
		default:
			if cur.Kind != yaml.MappingNode {
				return nil, nil, i, fmt.Errorf("%s is not a mapping, so key %s does not apply", where(segs[:i]), s)
			}
			v := mappingValue(cur, s.Key)
			if v == nil {
				return nil, cur, i, nil
			}
			cur = v
		}
	}
	return cur, nil, len(segs), nil
}

func where(segs []segment) string {
	if len(segs) == 0 {
		return "the document"
	}
	return pathString(segs)
}

// mappingValue returns the value of key in mapping m, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// selectElement returns the mapping in sequence seq whose key is value.
func selectElement(seq *yaml.Node, key, value string) *yaml.Node {
	for _, e := range seq.Content {
		if e.Kind != yaml.MappingNode {
			continue
		}
		if v := mappingValue(e, key); v != nil && v.Kind == yaml.ScalarNode && v.Value == value {
			return e
		}
	}
	return nil
}
