package pipeline

import "gopkg.in/yaml.v3"

// permissions reads a permissions block: read-all and write-all become
// {"*": "read"} and {"*": "write"}, a mapping its scopes and levels, and
// an empty mapping (no permission at all) an empty, non-nil map. Nil means
// the block is absent: the forge's default applies.
func permissions(n *yaml.Node) map[string]string {
	switch {
	case isNull(n):
		return nil
	case n.Kind == yaml.ScalarNode:
		switch n.Value {
		case "read-all":
			return map[string]string{"*": "read"}
		case "write-all":
			return map[string]string{"*": "write"}
		}
		return map[string]string{"*": n.Value}
	case n.Kind == yaml.MappingNode:
		m := textMap(n)
		if m == nil {
			m = map[string]string{}
		}
		return m
	}
	return nil
}

// environment reads a job's environment: a name, or a mapping with name
// and url whose name is kept.
func environment(n *yaml.Node) string {
	if n != nil && n.Kind == yaml.MappingNode {
		return text(lookup(n, "name"))
	}
	return text(n)
}
