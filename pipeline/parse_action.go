package pipeline

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// ParseAction reads an action's metadata file (action.yml or action.yaml).
// file names it in positions and messages. Every problem is returned at
// once as Errors: wrong shapes, an unknown runs.using, a missing main
// (node), image (docker) or steps (composite), and in composite steps the
// same checks as in workflow steps, plus a shell for every run step.
func ParseAction(file string, data []byte) (*plan.Action, error) {
	p := &problems{file: file}
	root := loadYAML(data, p)
	if root == nil {
		return nil, p.err()
	}
	checkShape(p, root, actionRule, "")
	if root.Kind != yaml.MappingNode {
		return nil, p.err()
	}
	a := &plan.Action{File: file}
	var runs *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "name":
			a.Name = text(v)
		case "description":
			a.Description = text(v)
		case "inputs":
			a.Inputs = actionInputs(v)
		case "outputs":
			a.Outputs = actionOutputs(v)
		case "runs":
			runs = v
		}
	}
	if isNull(runs) {
		p.add(root, "action has no runs: key; add runs with using: composite, node20 or docker")
	} else if runs.Kind == yaml.MappingNode {
		a.Runs = parseRuns(p, runs)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return a, nil
}

// parseRuns reads the runs block and checks what its using needs.
func parseRuns(p *problems, n *yaml.Node) plan.ActionRuns {
	var r plan.ActionRuns
	var using, steps *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "using":
			using = v
			// Runners read using without regard to case, as act does.
			r.Using = strings.ToLower(text(v))
		case "main":
			r.Main = text(v)
		case "pre":
			r.Pre = text(v)
		case "pre-if":
			r.PreIf = text(v)
		case "post":
			r.Post = text(v)
		case "post-if":
			r.PostIf = text(v)
		case "steps":
			steps = v
			r.Steps = parseSteps(p, "runs.steps", v, true)
		case "image":
			r.Image = text(v)
		case "env":
			r.Env = textMap(v)
		case "args":
			r.Args = textList(v)
		case "entrypoint":
			r.Entrypoint = text(v)
		case "pre-entrypoint":
			r.PreEntrypoint = text(v)
		case "post-entrypoint":
			r.PostEntrypoint = text(v)
		}
	}
	switch {
	case isNull(using):
		p.add(n, "runs has no using; add using: composite, node20 or docker")
	case !slices.Contains(actionUsings, r.Using):
		p.add(using, "runs.using %q is not supported; use one of: %s", text(using), strings.Join(actionUsings, ", "))
	case r.Using == "composite" && (isNull(steps) || steps.Kind == yaml.SequenceNode && len(steps.Content) == 0):
		p.add(n, "composite action has no steps; add runs.steps")
	case strings.HasPrefix(r.Using, "node") && r.Main == "":
		p.add(n, "%s action has no main; add runs.main with the script to run", r.Using)
	case r.Using == "docker" && r.Image == "":
		p.add(n, "docker action has no image; add runs.image: Dockerfile or docker://image")
	}
	return r
}

// actionInputs reads an action's inputs; defaults are kept as text.
func actionInputs(n *yaml.Node) map[string]plan.ActionInput {
	if n == nil || n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return nil
	}
	out := make(map[string]plan.ActionInput, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		v := n.Content[i+1]
		out[n.Content[i].Value] = plan.ActionInput{
			Description:        text(lookup(v, "description")),
			Required:           isTrue(lookup(v, "required")),
			Default:            text(lookup(v, "default")),
			DeprecationMessage: text(lookup(v, "deprecationMessage")),
		}
	}
	return out
}

// actionOutputs reads an action's outputs.
func actionOutputs(n *yaml.Node) map[string]plan.ActionOutput {
	if n == nil || n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return nil
	}
	out := make(map[string]plan.ActionOutput, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		v := n.Content[i+1]
		out[n.Content[i].Value] = plan.ActionOutput{
			Description: text(lookup(v, "description")),
			Value:       text(lookup(v, "value")),
		}
	}
	return out
}
