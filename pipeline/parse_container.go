package pipeline

import (
	"gopkg.in/yaml.v3"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// parseContainer reads a job container: an image name or a mapping.
func parseContainer(p *problems, path string, n *yaml.Node) *plan.Container {
	switch {
	case isNull(n):
		return nil
	case n.Kind == yaml.ScalarNode:
		if n.Value == "" {
			return nil
		}
		return &plan.Container{Image: n.Value}
	case n.Kind == yaml.MappingNode:
		return parseContainerMapping(p, path, n)
	}
	return nil
}

// parseServices reads a job's services mapping.
func parseServices(p *problems, path string, n *yaml.Node) map[string]*plan.Container {
	if n == nil || n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return nil
	}
	out := make(map[string]*plan.Container, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.MappingNode {
			continue // reported by checkShape
		}
		out[k.Value] = parseContainerMapping(p, pathKey(path, k.Value), v)
	}
	return out
}

// parseContainerMapping reads a container or service mapping, which must
// name its image.
func parseContainerMapping(p *problems, path string, n *yaml.Node) *plan.Container {
	c := &plan.Container{}
	var image *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "image":
			image = v
			c.Image = text(v)
		case "env":
			c.Env = textMap(v)
		case "ports":
			c.Ports = textList(v)
		case "volumes":
			c.Volumes = textList(v)
		case "options":
			c.Options = text(v)
		case "credentials":
			c.Credentials = textMap(v)
		case "cmd":
			c.Cmd = textList(v)
		}
	}
	if isNull(image) {
		p.add(n, "%s has no image; add image with the container image to use", path)
	}
	return c
}
