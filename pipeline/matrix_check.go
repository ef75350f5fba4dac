package pipeline

import (
	"errors"
	"slices"

	"gopkg.in/yaml.v3"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// checkMatrix reports, as errors, a matrix written out in the file that
// GitHub would refuse when it starts the job: a key without values, or
// more than 256 combinations. A matrix holding expressions is only known
// at run time.
func checkMatrix(p *problems, path string, n *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode || hasExpr(n) {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value != "include" && k.Value != "exclude" && v.Kind == yaml.SequenceNode && len(v.Content) == 0 {
			p.add(v, "%s has no values; give it at least one (GitHub fails a job whose matrix has an empty list)", pathKey(path, k.Value))
			return
		}
	}
	m, ok := plain(n).(map[string]any)
	if !ok {
		return
	}
	if _, err := plan.ExpandMatrix(m); errors.Is(err, plan.ErrMatrixTooLarge) {
		p.add(n, "%s: %v", path, err)
	}
}

// hasExpr reports whether any scalar under n holds a ${{ }} expression.
func hasExpr(n *yaml.Node) bool {
	if n.Kind == yaml.ScalarNode {
		return isExpr(n.Value)
	}
	return slices.ContainsFunc(n.Content, hasExpr)
}
