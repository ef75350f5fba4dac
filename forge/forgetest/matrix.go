package forgetest

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// strategyOf is the strategy context the server's expressions see: nil
// when the job has no strategy, else fail-fast and max-parallel with
// Gitea's defaults (true, 4) and its parsing (a bad value is false, 0).
func strategyOf(raw *yaml.Node, s payloadStrategy) map[string]any {
	if !hasKey(raw, "strategy") {
		return nil
	}
	failFast, maxParallel := true, 4
	if s.FailFast != "" {
		failFast, _ = strconv.ParseBool(s.FailFast)
	}
	if s.MaxParallel != "" {
		maxParallel, _ = strconv.Atoi(s.MaxParallel)
	}
	return map[string]any{"fail-fast": failFast, "max-parallel": maxParallel}
}

// hasKey tells whether a mapping has key with a non-null value.
func hasKey(m *yaml.Node, key string) bool {
	if m == nil || m.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v := m.Content[i+1]
			return v.Kind != yaml.ScalarNode || v.Tag != "!!null"
		}
	}
	return false
}

// matrixCombinations expands a matrix as the server does, sorted by name.
// A job without a strategy, and a matrix that is not a mapping of lists
// (an expression such as fromJSON(needs.x.outputs.y), which the server
// cannot evaluate), give one empty combination: the job runs once and its
// payload has no matrix. An exclude key the matrix lacks is an error;
// an include that matches no combination on the matrix's own keys, or
// shares no key with the matrix, is a combination of its own.
func matrixCombinations(strategy map[string]any, node yaml.Node) ([]map[string]any, error) {
	none := []map[string]any{{}}
	if strategy == nil || node.Kind != yaml.MappingNode {
		return none, nil
	}
	var m map[string][]any
	if node.Decode(&m) != nil {
		return none, nil
	}
	var includes, extra []map[string]any
	for _, v := range flatten(m["include"]) {
		inc, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("matrix include %v is not a mapping", v)
		}
		if sharesKey(inc, m) {
			includes = append(includes, inc)
		} else {
			extra = append(extra, inc)
		}
	}
	delete(m, "include")
	var excludes []map[string]any
	for _, v := range m["exclude"] {
		exc, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("matrix exclude %v is not a mapping", v)
		}
		for k := range exc {
			if _, ok := m[k]; !ok {
				return nil, fmt.Errorf("the workflow is not valid. Matrix exclude key %q does not match any key within the matrix", k)
			}
		}
		excludes = append(excludes, exc)
	}
	delete(m, "exclude")

	var combos []map[string]any
	for _, c := range cartesian(m) {
		if !slices.ContainsFunc(excludes, func(e map[string]any) bool { return agrees(c, e, nil) }) {
			combos = append(combos, c)
		}
	}
	for _, inc := range includes {
		matched := false
		for _, c := range combos {
			if agrees(c, inc, m) {
				matched = true
				for k, v := range inc {
					c[k] = v
				}
			}
		}
		if !matched {
			extra = append(extra, inc)
		}
	}
	combos = append(combos, extra...)
	if len(combos) == 0 {
		return none, nil
	}
	sortCombinations(combos)
	return combos, nil
}

// flatten reads include entries, which may be nested one list deep.
func flatten(list []any) []any {
	var out []any
	for _, v := range list {
		if inner, ok := v.([]any); ok {
			out = append(out, inner...)
		} else {
			out = append(out, v)
		}
	}
	return out
}

func sharesKey(inc map[string]any, m map[string][]any) bool {
	for k := range inc {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

// agrees: every key of c that other also has (and, with only set, that
// is a matrix key) has the same value in both.
func agrees(c, other map[string]any, only map[string][]any) bool {
	for k, v := range c {
		if only != nil {
			if _, ok := only[k]; !ok {
				continue
			}
		}
		if w, ok := other[k]; ok && !reflect.DeepEqual(v, w) {
			return false
		}
	}
	return true
}

// cartesian is every combination of one value per key; none when a key
// has no values or there are no keys.
func cartesian(m map[string][]any) []map[string]any {
	if len(m) == 0 {
		return nil
	}
	out := []map[string]any{{}}
	for _, k := range sortedKeys(m) {
		var next []map[string]any
		for _, c := range out {
			for _, v := range m[k] {
				n := make(map[string]any, len(c)+1)
				for ck, cv := range c {
					n[ck] = cv
				}
				n[k] = v
				next = append(next, n)
			}
		}
		out = next
	}
	return out
}

// encodeMatrix writes a combination as a matrix of one-value lists.
func encodeMatrix(combo map[string]any) yaml.Node {
	if len(combo) == 0 {
		return yaml.Node{}
	}
	m := make(map[string][]any, len(combo))
	for k, v := range combo {
		m[k] = []any{v}
	}
	var n yaml.Node
	_ = n.Encode(m) // decoded YAML values always encode
	return n
}

// matrixName is "(v1, v2)": the values in the order of their keys.
func matrixName(combo map[string]any) string {
	values := make([]string, 0, len(combo))
	for _, k := range sortedKeys(combo) {
		values = append(values, fmt.Sprint(combo[k]))
	}
	return "(" + strings.Join(values, ", ") + ")"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
