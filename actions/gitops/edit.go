package gitops

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// Change says what to set in a YAML file:
//   - Path and Value: the scalar at Path (a Helm values key, any YAML
//     path), created with its missing parent keys when absent;
//   - Image and Value, no Path: the kustomization images entry named
//     Image gets newTag Value (or digest, for sha256:...), added when
//     missing;
//   - Image, Value and Path: the scalar at Path is an image reference and
//     becomes Image:Value (Image@Value for digests).
//
// With Image, an empty Value takes the tag from Image (name:tag).
type Change struct {
	Path  string
	Image string
	Value string
}

// normalize checks c and splits a tag off Image when Value is empty.
func (c Change) normalize() (Change, error) {
	c.Path, c.Image = strings.TrimSpace(c.Path), strings.TrimSpace(c.Image)
	if c.Image != "" && c.Value == "" {
		name, tag := splitImage(c.Image)
		if tag == "" {
			return c, fmt.Errorf("image %q has no tag and no value is given: set value to the new tag, or give image as name:tag", c.Image)
		}
		c.Image, c.Value = name, tag
	}
	switch {
	case c.Path == "" && c.Image == "":
		return c, errors.New("nothing to set: give path (a YAML path such as image.tag) or image (a kustomization image name), and value")
	case c.Value == "":
		return c, errors.New("value is empty: give the tag or value to set")
	case strings.ContainsAny(c.Value, "\n\r") && c.Image != "":
		return c, errors.New("an image tag cannot contain line breaks")
	}
	return c, nil
}

// splitImage splits name:tag or name@digest; the tag is "" when there is
// none (a registry port is not a tag).
func splitImage(ref string) (name, tag string) {
	if i := strings.Index(ref, "@"); i >= 0 {
		return ref[:i], ref[i+1:]
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref[:i], ref[i+1:]
	}
	return ref, ""
}

// isDigest reports image digests (sha256:...).
func isDigest(v string) bool {
	return strings.HasPrefix(v, "sha256:") || strings.HasPrefix(v, "sha512:")
}

// Describe says what c changes, for messages: "images[name=web].newTag".
func (c Change) Describe() string {
	switch {
	case c.Path != "":
		if c.Image != "" {
			return c.Path + " (image " + c.Image + ")"
		}
		return c.Path
	case isDigest(c.Value):
		return fmt.Sprintf("images[name=%s].digest", c.Image)
	}
	return fmt.Sprintf("images[name=%s].newTag", c.Image)
}

// Edit is the outcome of applying a Change to a file.
type Edit struct {
	// Out is the new content; it is the input when nothing changed.
	Out []byte
	// Old is the previous value ("" when created); New the value set.
	Old, New string
	Changed  bool
	// Reformatted is set when the file had to be re-encoded (a key was
	// removed, or added to a flow or empty collection): comments and key
	// order are kept, but spacing may differ. Otherwise only the value's
	// bytes changed, or the new keys' lines were added.
	Reformatted bool
}

// Apply applies c to the YAML in src, keeping comments, key order and
// every other byte: an existing value is replaced in place, in its own
// quoting style (quoted when the new value would otherwise change type,
// such as a tag 1.10 becoming a number). Multi-document files are edited
// in the first document where the path exists (the first document when
// none has it).
func Apply(src []byte, c Change) (*Edit, error) {
	c, err := c.normalize()
	if err != nil {
		return nil, err
	}
	doc, err := parseDocument(src)
	if err != nil {
		return nil, err
	}
	switch {
	case c.Path == "":
		err = doc.setKustomizeImage(c.Image, c.Value)
	case c.Image != "":
		sep := ":"
		if isDigest(c.Value) {
			sep = "@"
		}
		err = doc.setPath(c.Path, c.Image+sep+c.Value)
	default:
		err = doc.setPath(c.Path, c.Value)
	}
	if err != nil {
		return nil, err
	}
	return doc.render()
}

// document is a parsed YAML file and the edits made to it.
type document struct {
	src   []byte
	docs  []*yaml.Node
	edits []*scalarEdit
	// inserts are nodes appended to block collections.
	inserts []insertion
	// structural is set when nodes were removed, or added where they cannot
	// be spliced in: the file is then re-encoded.
	structural bool
	old, new   string
	changed    bool
}

// scalarEdit is a scalar whose value changed; Node.Line and Column still
// point to the original text.
type scalarEdit struct {
	node     *yaml.Node
	oldValue string
	oldTag   string
	oldStyle yaml.Style
}

// insertion is nodes appended to parent: a key and value for a mapping,
// an item for a sequence.
type insertion struct {
	parent *yaml.Node
	nodes  []*yaml.Node
}

// insert appends nodes to parent and records it.
func (d *document) insert(parent *yaml.Node, nodes ...*yaml.Node) {
	parent.Content = append(parent.Content, nodes...)
	d.inserts = append(d.inserts, insertion{parent: parent, nodes: nodes})
	d.changed = true
}

func keyNode(k string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}
}

func parseDocument(src []byte) (*document, error) {
	d := &document{src: src}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("parsing the YAML: %w", err)
		}
		d.docs = append(d.docs, &n)
	}
	if len(d.docs) == 0 {
		return nil, errors.New("the file holds no YAML document")
	}
	return d, nil
}

// root is the top node of document i, made a mapping when empty.
func (d *document) root(i int) *yaml.Node {
	n := d.docs[i]
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		return n.Content[0]
	}
	if n.Kind == yaml.DocumentNode {
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		n.Content = []*yaml.Node{m}
		d.structural = true
		return m
	}
	return n
}

// setPath sets the scalar at path to value, creating missing keys.
func (d *document) setPath(path, value string) error {
	segs, err := parsePath(path)
	if err != nil {
		return err
	}
	var firstErr error
	bestDoc, bestParent, bestMatched := -1, (*yaml.Node)(nil), 0
	for i := range d.docs {
		found, parent, matched, err := lookup(d.root(i), segs)
		switch {
		case err != nil:
			if firstErr == nil {
				firstErr = err
			}
		case found != nil:
			return d.setScalar(found, value, pathString(segs))
		case bestDoc < 0:
			bestDoc, bestParent, bestMatched = i, parent, matched
		}
	}
	if bestDoc < 0 {
		return fmt.Errorf("path %s: %w", pathString(segs), firstErr)
	}
	// Create the missing keys under the deepest mapping reached.
	val := newString(value)
	for i := len(segs) - 1; i >= bestMatched; i-- {
		if segs[i].Key == "" {
			return fmt.Errorf("path %s: cannot create %s: only missing mapping keys are created", pathString(segs), segs[i])
		}
		if i > bestMatched {
			val = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{keyNode(segs[i].Key), val}}
		}
	}
	d.insert(bestParent, keyNode(segs[bestMatched].Key), val)
	d.new = value
	return nil
}

// setScalar replaces the value of scalar n.
func (d *document) setScalar(n *yaml.Node, value, where string) error {
	switch n.Kind {
	case yaml.ScalarNode:
	case yaml.AliasNode:
		return fmt.Errorf("%s is the alias *%s: edit the anchored value instead", where, n.Value)
	default:
		return fmt.Errorf("%s is a %s, not a single value: give the path of a value inside it", where, kindName(n.Kind))
	}
	d.old, d.new = n.Value, value
	if n.Value == value {
		return nil
	}
	e := &scalarEdit{node: n, oldValue: n.Value, oldTag: n.Tag, oldStyle: n.Style}
	n.Value = value
	n.Style, n.Tag = scalarStyle(e, value)
	d.edits = append(d.edits, e)
	d.changed = true
	return nil
}

// newString is a string scalar node, quoted when plain would read as
// another type.
func newString(v string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
	if plainTag(v) != "!!str" {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.DocumentNode:
		return "document"
	}
	return "node"
}

// setKustomizeImage sets newTag (or digest) of the images entry name.
func (d *document) setKustomizeImage(name, value string) error {
	root := d.root(0)
	if root.Kind != yaml.MappingNode {
		return errors.New("the file is not a mapping, so it is no kustomization: give path to set a value in it")
	}
	field, other := "newTag", "digest"
	if isDigest(value) {
		field, other = other, field
	}
	entryNode := func() *yaml.Node {
		return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
			keyNode("name"), newString(name), keyNode(field), newString(value),
		}}
	}
	d.new = value
	images := mappingValue(root, "images")
	if images == nil {
		d.insert(root, keyNode("images"), &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{entryNode()}})
		return nil
	}
	if images.Kind != yaml.SequenceNode {
		return errors.New("images: is not a list; a kustomization lists images as entries with name and newTag")
	}
	entry := selectElement(images, "name", name)
	if entry == nil {
		d.insert(images, entryNode())
		return nil
	}
	otherKey := -1
	for i := 0; i+1 < len(entry.Content); i += 2 {
		if entry.Content[i].Value == other {
			otherKey = i
		}
	}
	where := fmt.Sprintf("images[name=%s].%s", name, field)
	v := mappingValue(entry, field)
	switch {
	case v != nil && otherKey >= 0:
		// Both set: drop the other one (the file is re-encoded).
		entry.Content = append(entry.Content[:otherKey], entry.Content[otherKey+2:]...)
		d.structural, d.changed = true, true
		return d.setScalar(v, value, where)
	case v != nil:
		return d.setScalar(v, value, where)
	case otherKey >= 0:
		// newTag becomes digest (or back): rename the key in place.
		if err := d.setScalar(entry.Content[otherKey], field, where); err != nil {
			return err
		}
		old := entry.Content[otherKey+1].Value
		if err := d.setScalar(entry.Content[otherKey+1], value, where); err != nil {
			return err
		}
		d.old = old
		return nil
	}
	d.insert(entry, keyNode(field), newString(value))
	return nil
}
