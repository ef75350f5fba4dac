package pipeline

import (
	"gopkg.in/yaml.v3"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// parseSteps reads a steps list (a job's, or a composite action's when
// composite is set, where run steps must name their shell).
func parseSteps(p *problems, path string, n *yaml.Node, composite bool) []*plan.Step {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	steps := make([]*plan.Step, 0, len(n.Content))
	var ids map[string]*yaml.Node
	for i, sn := range n.Content {
		if sn.Kind != yaml.MappingNode {
			continue // reported by checkShape
		}
		s, idNode := parseStep(p, pathIndex(path, i), i, sn, composite)
		steps = append(steps, s)
		if idNode == nil || s.ID == "" {
			continue
		}
		if ids == nil {
			ids = make(map[string]*yaml.Node)
		}
		if prev, ok := ids[s.ID]; ok {
			p.warn(idNode, "step id %q is already used at line %d; give each step its own id", s.ID, prev.Line)
			continue
		}
		ids[s.ID] = idNode
	}
	return steps
}

// parseStep reads step number i; it returns the step and its id node.
func parseStep(p *problems, path string, i int, n *yaml.Node, composite bool) (*plan.Step, *yaml.Node) {
	s := &plan.Step{Index: i, Pos: p.position(n)}
	var run, uses, id *yaml.Node
	for j := 0; j+1 < len(n.Content); j += 2 {
		k, v := n.Content[j], n.Content[j+1]
		switch k.Value {
		case "id":
			id = v
			s.ID = text(v)
		case "if":
			s.If = text(v)
		case "name":
			s.Name = text(v)
		case "uses":
			uses = v
			s.Uses = text(v)
		case "run":
			run = v
			s.Run = text(v)
		case "working-directory":
			s.WorkingDirectory = text(v)
		case "shell":
			s.Shell = text(v)
		case "env":
			s.Env = textMap(v)
		case "with":
			s.With = textMap(v)
		case "continue-on-error":
			s.ContinueOnError = text(v)
		case "timeout-minutes":
			s.TimeoutMinutes = text(v)
		}
	}
	hasRun, hasUses := !isNull(run), !isNull(uses)
	switch {
	case hasRun && hasUses:
		p.add(n, "%s has both run and uses; a step either runs a script or uses an action", path)
	case !hasRun && !hasUses:
		p.add(n, "%s has neither run nor uses; add run with a script or uses with an action", path)
	case hasUses && uses.Kind == yaml.ScalarNode:
		if msg := actionRefProblem(s.Uses); msg != "" {
			p.add(uses, "%s", msg)
		}
	case hasRun && composite && s.Shell == "":
		p.add(n, "%s has run but no shell; composite action steps must name their shell, for example shell: bash", path)
	}
	if id != nil && id.Kind == yaml.ScalarNode && !isNull(id) && !validID(s.ID) {
		p.warn(id, "step id %q is invalid: %s", s.ID, idRules)
	}
	return s, id
}
