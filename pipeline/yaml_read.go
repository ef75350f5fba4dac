package pipeline

import (
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

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
