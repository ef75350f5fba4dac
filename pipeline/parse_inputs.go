package pipeline

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// inputTypes are the input types each event accepts.
var inputTypes = map[string][]string{
	"workflow_dispatch": {"string", "boolean", "number", "choice", "environment"},
	"workflow_call":     {"string", "boolean", "number"},
}

// parseInputs reads on.<event>.inputs into t.Inputs and w.Inputs. An input
// declared by both workflow_dispatch and workflow_call keeps the first
// declaration in w.Inputs.
func parseInputs(p *problems, w *plan.Workflow, t *plan.Trigger, event, path string, n *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		in := plan.Input{}
		var typ *yaml.Node
		if v.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(v.Content); j += 2 {
				key, val := v.Content[j], v.Content[j+1]
				switch key.Value {
				case "description":
					in.Description = text(val)
				case "required":
					in.Required = isTrue(val)
				case "default":
					if val.Kind == yaml.ScalarNode {
						in.Default = plain(val)
					}
				case "type":
					typ = val
					in.Type = text(val)
				case "options":
					in.Options = textList(val)
				}
			}
		}
		checkInputType(p, event, pathKey(path, k.Value), k, typ, in)
		if t.Inputs == nil {
			t.Inputs = map[string]plan.Input{}
		}
		t.Inputs[k.Value] = in
		if w.Inputs == nil {
			w.Inputs = map[string]plan.Input{}
		}
		if _, ok := w.Inputs[k.Value]; !ok {
			w.Inputs[k.Value] = in
		}
	}
}

// checkInputType checks an input's type for event: workflow_call inputs
// should have one, choice inputs need options. All are warnings: an input
// without a type is a string.
func checkInputType(p *problems, event, path string, key, typ *yaml.Node, in plan.Input) {
	allowed := inputTypes[event]
	switch {
	case isNull(typ) && event == "workflow_call":
		p.warn(key, "%s has no type; add type: %s (GitHub requires it; Forgejo and anvil read the input as a string)", path, strings.Join(allowed, ", "))
	case isNull(typ) || typ.Kind != yaml.ScalarNode:
	case !slices.Contains(allowed, in.Type):
		p.warn(typ, "%s has unknown type %q; use one of: %s", path, in.Type, strings.Join(allowed, ", "))
	case in.Type == "choice" && len(in.Options) == 0:
		p.warn(typ, "%s is a choice without options; add options with the allowed values", path)
	}
}

// callOutputs reads on.workflow_call.outputs: name to value expression.
func callOutputs(n *yaml.Node) map[string]string {
	if n == nil || n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return nil
	}
	out := make(map[string]string, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		out[n.Content[i].Value] = text(lookup(n.Content[i+1], "value"))
	}
	return out
}

// callSecrets reads on.workflow_call.secrets.
func callSecrets(n *yaml.Node) map[string]plan.SecretSpec {
	if n == nil || n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return nil
	}
	out := make(map[string]plan.SecretSpec, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		v := n.Content[i+1]
		out[n.Content[i].Value] = plan.SecretSpec{
			Description: text(lookup(v, "description")),
			Required:    isTrue(lookup(v, "required")),
		}
	}
	return out
}

// isTrue reports whether n is a YAML true: true, True or TRUE (a boolean
// when unquoted), or the text "true".
func isTrue(n *yaml.Node) bool {
	if n == nil || n.Kind != yaml.ScalarNode {
		return false
	}
	if n.ShortTag() == "!!bool" {
		var b bool
		return n.Decode(&b) == nil && b
	}
	return n.Value == "true"
}
