package plan

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// maxCombinations is GitHub's limit on the jobs one matrix may produce.
const maxCombinations = 256

// ErrMatrixTooLarge is what the error of ExpandMatrix is (errors.Is) when
// the matrix has more than 256 combinations, GitHub's limit.
var ErrMatrixTooLarge = errors.New("matrix has more than 256 combinations")

// matrixSizeError is a matrix over the limit: n combinations, or 0 when
// the count stopped at the limit.
type matrixSizeError struct{ n int }

func (e matrixSizeError) Error() string {
	if e.n == 0 {
		return fmt.Sprintf("matrix has more than %d combinations; split the job or use fewer values", maxCombinations)
	}
	return fmt.Sprintf("matrix has %d combinations, more than %d; split the job or use fewer values", e.n, maxCombinations)
}

// Is makes errors.Is(err, ErrMatrixTooLarge) true.
func (e matrixSizeError) Is(target error) bool { return target == ErrMatrixTooLarge }

// ExpandMatrix turns an evaluated strategy.matrix into its combinations,
// with GitHub's rules:
//
//   - every key but include and exclude must be a non-empty list; the
//     combinations are their cartesian product;
//   - an exclude entry removes every combination that has all of its
//     key/value pairs (a partial match is enough);
//   - each include entry is merged into every remaining combination whose
//     original matrix values it does not change (values added by an
//     earlier include may be overwritten); when it fits none, it is added
//     as a combination of its own;
//   - a matrix with only include gives the include entries.
//
// A Go map has lost the order the keys had in the YAML, so the product is
// taken over the keys in sorted order, the first key varying slowest.
// Values may be scalars, lists or mappings; numbers compare equal whatever
// their Go type. An empty matrix gives one empty combination. The
// combinations share no data with matrix.
func ExpandMatrix(matrix map[string]any) ([]map[string]any, error) {
	keys := make([]string, 0, len(matrix))
	for k := range matrix {
		if k != "include" && k != "exclude" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	vectors := make([][]any, len(keys))
	total := 1
	for i, k := range keys {
		list, ok := matrix[k].([]any)
		if !ok {
			return nil, fmt.Errorf("matrix key %q must be a list of values, got %s", k, kindOf(matrix[k]))
		}
		if len(list) == 0 {
			return nil, fmt.Errorf("matrix key %q has no values; give it at least one", k)
		}
		if total *= len(list); total > maxCombinations {
			return nil, matrixSizeError{}
		}
		vectors[i] = list
	}
	include, err := matrixEntries(matrix, "include")
	if err != nil {
		return nil, err
	}
	exclude, err := matrixEntries(matrix, "exclude")
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 && len(include) == 0 {
		return []map[string]any{{}}, nil
	}
	var combos []map[string]any
	if len(keys) > 0 {
		combos = product(keys, vectors)
	}
	combos = slices.DeleteFunc(combos, func(c map[string]any) bool {
		return slices.ContainsFunc(exclude, func(ex map[string]any) bool { return hasAll(c, ex) })
	})
	combos = applyInclude(combos, include, keys)
	if len(combos) > maxCombinations {
		return nil, matrixSizeError{n: len(combos)}
	}
	return combos, nil
}

// matrixEntries reads include or exclude as a list of mappings.
func matrixEntries(matrix map[string]any, key string) ([]map[string]any, error) {
	v, ok := matrix[key]
	if !ok || v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("matrix %s must be a list of mappings, got %s", key, kindOf(v))
	}
	out := make([]map[string]any, 0, len(list))
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("matrix %s[%d] must be a mapping, got %s", key, i, kindOf(e))
		}
		out = append(out, m)
	}
	return out, nil
}

// product returns the cartesian product of vectors, the first key varying
// slowest.
func product(keys []string, vectors [][]any) []map[string]any {
	combos := []map[string]any{{}}
	for i, k := range keys {
		next := make([]map[string]any, 0, len(combos)*len(vectors[i]))
		for _, c := range combos {
			for _, v := range vectors[i] {
				n := maps.Clone(c)
				n[k] = clonePlain(v)
				next = append(next, n)
			}
		}
		combos = next
	}
	return combos
}

// applyInclude merges each include entry into the combinations it fits,
// or appends it as a new combination.
func applyInclude(combos []map[string]any, include []map[string]any, keys []string) []map[string]any {
	original := len(combos)
	for _, inc := range include {
		fits := false
		for _, c := range combos[:original] {
			if !keepsOriginal(c, inc, keys) {
				continue
			}
			fits = true
			for k, v := range inc {
				c[k] = clonePlain(v)
			}
		}
		if !fits {
			combos = append(combos, clonePlain(inc).(map[string]any))
		}
	}
	return combos
}

// keepsOriginal reports whether merging inc into c leaves c's original
// matrix values (those of keys) unchanged.
func keepsOriginal(c, inc map[string]any, keys []string) bool {
	for k, v := range inc {
		if _, original := slices.BinarySearch(keys, k); original && !plainEqual(c[k], v) {
			return false
		}
	}
	return true
}

// hasAll reports whether c has every key/value pair of sub.
func hasAll(c, sub map[string]any) bool {
	for k, v := range sub {
		cv, ok := c[k]
		if !ok || !plainEqual(cv, v) {
			return false
		}
	}
	return true
}

// MatrixSuffix is the suffix GitHub adds to a matrix job's name, such as
// "(1.22, linux)": the combination's values in sorted key order (the YAML
// order is not known here). It is "" for an empty combination.
func MatrixSuffix(combo map[string]any) string {
	if len(combo) == 0 {
		return ""
	}
	keys := slices.Sorted(maps.Keys(combo))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = formatValue(combo[k])
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
