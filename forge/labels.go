package forge

import (
	"fmt"
	"strings"
)

// Label is a runner label, name[:schema[:arg]]: Name is what runs-on
// matches (exactly), Schema and Arg choose where the job runs, e.g.
// "ubuntu-latest:docker://node:20-bookworm" is Name "ubuntu-latest",
// Schema "docker", Arg "//node:20-bookworm", and "self-hosted:host" is Name
// "self-hosted", Schema "host". Schema is empty when the label has none
// (forgejo-runner then means host). Which schemas a runner supports is the
// runner's business, not this package's.
type Label struct {
	Name   string
	Schema string
	Arg    string
}

const labelSyntax = "labels look like name[:schema[:arg]], e.g. ubuntu-latest:docker://node:20-bookworm or self-hosted:host"

// ParseLabel parses one label. Surrounding spaces are ignored; a name
// with spaces or commas, or an empty part, is an error.
func ParseLabel(s string) (Label, error) {
	s = strings.TrimSpace(s)
	parts := strings.SplitN(s, ":", 3)
	l := Label{Name: parts[0]}
	switch {
	case l.Name == "":
		return Label{}, fmt.Errorf("label %q has no name: %s", s, labelSyntax)
	case strings.ContainsAny(s, " \t\r\n,"):
		return Label{}, fmt.Errorf("label %q contains a space or a comma: give labels one by one (or comma-separated on the command line); %s", s, labelSyntax)
	}
	if len(parts) >= 2 {
		l.Schema = parts[1]
		if l.Schema == "" {
			return Label{}, fmt.Errorf("label %q has an empty schema: %s", s, labelSyntax)
		}
	}
	if len(parts) == 3 {
		l.Arg = parts[2]
		if l.Arg == "" {
			return Label{}, fmt.Errorf("label %q has an empty argument after its schema: %s", s, labelSyntax)
		}
	}
	return l, nil
}

// String is the label as written: name[:schema[:arg]].
func (l Label) String() string {
	s := l.Name
	if l.Schema != "" {
		s += ":" + l.Schema
		if l.Arg != "" {
			s += ":" + l.Arg
		}
	}
	return s
}

// Image is the container image of a docker label (Arg without its leading
// "//"), or "" for other schemas.
func (l Label) Image() string {
	if l.Schema != "docker" {
		return ""
	}
	return strings.TrimPrefix(l.Arg, "//")
}

// LabelNames strips ":schema[:arg]" from each label: the names a runner
// sends to the forge in Register and Declare. Empty names and repeats are
// dropped; the order is kept.
func LabelNames(labels []string) []string {
	names := make([]string, 0, len(labels))
	seen := make(map[string]bool, len(labels))
	for _, l := range labels {
		name, _, _ := strings.Cut(strings.TrimSpace(l), ":")
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		names = append(names, name)
	}
	return names
}

// SplitLabels splits a comma-separated list of labels, as a command line
// or a prompt gives them, trimming spaces and dropping empty items.
func SplitLabels(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
