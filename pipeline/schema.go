package pipeline

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// scalarKind says which scalars a rule accepts.
type scalarKind uint8

const (
	noScalar     scalarKind = iota
	anyScalar               // any scalar but null, kept as text
	boolScalar              // a boolean ("true"/"false" quoted too) or an expression
	numberScalar            // a number (quoted too) or an expression
	exprScalar              // only a string holding an expression
	stringScalar            // a string, not a number or boolean
)

// rule describes what a YAML node may be: which scalars, a list of what, a
// mapping with which keys. A null value anywhere in a mapping counts as the
// key being absent. The tables built from rules live in rules_*.go.
type rule struct {
	// what describes the allowed forms for messages: "a string or a list".
	what   string
	scalar scalarKind
	// list is the rule for elements when a list is allowed.
	list *rule
	// keys are the known keys when a mapping is allowed.
	keys map[string]*rule
	// values is the rule for keys not in keys (free-form mappings like env).
	values *rule
	// open accepts unknown keys without checking them.
	open bool
	// noun names keys in "unknown key" messages; default "key".
	noun string
}

// allowsMapping reports whether r accepts a mapping.
func (r *rule) allowsMapping() bool {
	return r.keys != nil || r.values != nil || r.open
}

// scalarOK reports whether scalar node n is allowed by r.
func (r *rule) scalarOK(n *yaml.Node) bool {
	switch r.scalar {
	case anyScalar:
		return true
	case boolScalar:
		switch n.ShortTag() {
		case "!!bool":
			return true
		case "!!str":
			return isExpr(n.Value) || n.Value == "true" || n.Value == "false"
		}
	case numberScalar:
		switch n.ShortTag() {
		case "!!int", "!!float":
			return true
		case "!!str":
			_, err := strconv.ParseFloat(n.Value, 64)
			return isExpr(n.Value) || err == nil
		}
	case exprScalar:
		return n.ShortTag() == "!!str" && isExpr(n.Value)
	case stringScalar:
		return n.ShortTag() == "!!str"
	}
	return false
}

// checkShape walks n against r and records every mismatch in p: wrong
// kinds, unknown keys, duplicate keys. path names n in messages
// ("jobs.build.steps[0]"); "" is the top of the file.
func checkShape(p *problems, n *yaml.Node, r *rule, path string) {
	if isNull(n) {
		return
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if r.scalar == noScalar || !r.scalarOK(n) {
			wrongShape(p, n, r, path)
		}
	case yaml.SequenceNode:
		if r.list == nil {
			wrongShape(p, n, r, path)
			return
		}
		for i, e := range n.Content {
			if isNull(e) {
				p.add(e, "%s must be %s, got null", pathIndex(path, i), r.list.what)
				continue
			}
			checkShape(p, e, r.list, pathIndex(path, i))
		}
	case yaml.MappingNode:
		if !r.allowsMapping() {
			wrongShape(p, n, r, path)
			return
		}
		checkMapping(p, n, r, path)
	default:
		wrongShape(p, n, r, path)
	}
}

// checkMapping checks the keys and values of mapping n against r.
func checkMapping(p *problems, n *yaml.Node, r *rule, path string) {
	var seen map[string]*yaml.Node // only for big mappings; small ones scan
	if len(n.Content) > 2*smallMapping {
		seen = make(map[string]*yaml.Node, len(n.Content)/2)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || isNull(k) {
			p.add(k, "keys %s must be strings, got %s", where(path), describe(k))
			continue
		}
		if k.ShortTag() == "!!merge" {
			p.add(k, "YAML merge keys (<<) are not supported %s; repeat the keys instead", where(path))
			continue
		}
		if prev := previousKey(n, i, seen); prev != nil {
			p.add(k, "%s is already defined at line %d; remove one of them", pathKey(path, k.Value), prev.Line)
			continue
		}
		if sub, ok := r.keys[k.Value]; ok {
			checkShape(p, v, sub, pathKey(path, k.Value))
			continue
		}
		switch {
		case r.values != nil:
			checkShape(p, v, r.values, pathKey(path, k.Value))
		case !r.open:
			unknownKey(p, k, r, path)
		}
	}
}

// smallMapping is the number of keys up to which duplicate keys are found
// by scanning rather than with a map.
const smallMapping = 32

// previousKey returns an earlier key of mapping n with the same text as the
// key at index i, or nil. With a non-nil seen it records keys there instead
// of scanning, for big mappings.
func previousKey(n *yaml.Node, i int, seen map[string]*yaml.Node) *yaml.Node {
	key := n.Content[i].Value
	if seen != nil {
		if prev, ok := seen[key]; ok {
			return prev
		}
		seen[key] = n.Content[i]
		return nil
	}
	for j := 0; j < i; j += 2 {
		if k := n.Content[j]; k.Kind == yaml.ScalarNode && k.Value == key {
			return k
		}
	}
	return nil
}

// wrongShape reports that n is not of a form r allows. A scalar where r
// takes a boolean or a number (a word for a number) is a warning: it is
// kept as text and read at run time, as the forge does. Any other
// mismatch (a list for a mapping, a word for a matrix row) is an error:
// the job cannot be built.
func wrongShape(p *problems, n *yaml.Node, r *rule, path string) {
	name := path
	if name == "" {
		name = "the file"
	}
	sev := plan.SeverityError
	if n.Kind == yaml.ScalarNode && (r.scalar == boolScalar || r.scalar == numberScalar) {
		sev = plan.SeverityWarning
	}
	p.report(sev, n, "%s must be %s, got %s", name, r.what, describe(n))
}

// unknownKey reports key k as unknown in r, suggesting a close known key.
// It is a warning: GitHub's and Forgejo's parsers ignore what they do not
// know, and so does anvil.
func unknownKey(p *problems, k *yaml.Node, r *rule, path string) {
	noun := r.noun
	if noun == "" {
		noun = "key"
	}
	msg := fmt.Sprintf("unknown %s %q %s", noun, k.Value, where(path))
	known := make([]string, 0, len(r.keys))
	for key := range r.keys {
		known = append(known, key)
	}
	slices.Sort(known)
	if s := closest(k.Value, known); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	} else if len(known) <= 12 {
		msg += "; expected one of: " + strings.Join(known, ", ")
	}
	p.warn(k, "%s", msg)
}

// where says where path is: "in jobs.build", "at the top level".
func where(path string) string {
	if path == "" {
		return "at the top level"
	}
	return "in " + path
}

// closest returns the candidate nearest to s when it is near enough to be a
// likely typo, or "".
func closest(s string, candidates []string) string {
	norm := strings.ToLower(strings.ReplaceAll(s, "_", "-"))
	best, bestDist := "", 3
	for _, c := range candidates {
		if c == norm {
			return c
		}
		if d := EditDistance(norm, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist > len(s)/3 {
		return ""
	}
	return best
}

// EditDistance is the Levenshtein distance between a and b (64 for
// strings longer than 64 bytes), for "did you mean" suggestions.
func EditDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
