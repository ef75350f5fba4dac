package executor

import (
	"strings"
	"unicode"
)

// WorkflowCommand is a command a step printed on its output, such as
// "::warning file=a.go,line=3::look here" or "##[group]Build".
type WorkflowCommand struct {
	// Name is the command, lower-cased because GitHub matches command
	// names case-insensitively ("::WARNING::" is a warning).
	Name string
	// Params are the properties, unescaped. Keys keep the case they were
	// written in; keys differing only in case are one property (the last
	// value wins), as on GitHub. Look them up with Param to ignore case.
	Params map[string]string
	// Value is the message after the command, unescaped.
	Value string
}

// Param returns the property named key, ignoring case as GitHub does.
func (c WorkflowCommand) Param(key string) (string, bool) {
	if v, ok := c.Params[key]; ok {
		return v, true
	}
	for k, v := range c.Params {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return "", false
}

// The escaping GitHub's runner applies to command values and properties.
// Each list is undone in order, "%25" last, exactly as the runner does.
var (
	dataUnescaper = strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%")
	propUnescaper = strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%")
	// legacyUnescaper undoes the escaping of the "##[name k=v;]data" form.
	legacyUnescaper = strings.NewReplacer("%3B", ";", "%0D", "\r", "%0A", "\n", "%5D", "]", "%25", "%")

	dataEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// EscapeData escapes s for use as the message of a workflow command.
func EscapeData(s string) string { return dataEscaper.Replace(s) }

// EscapeProperty escapes s for use as a property value of a workflow
// command.
func EscapeProperty(s string) string { return propEscaper.Replace(s) }

// ParseWorkflowCommand recognises a workflow command in one output line the
// way GitHub's runner does, in the current form "::name k=v,k2=v2::message"
// (the line must start with "::" once leading white space is trimmed) or
// the legacy form "##[name k=v;k2=v2]message" (anywhere in the line).
//
// It checks the syntax only: any non-empty name is accepted. GitHub treats
// a line as a command only when the name is one it knows (or the current
// stop-commands token), so the caller decides what an unknown name means;
// for GitHub it is an ordinary log line. Properties without a key or a
// value are dropped, as GitHub drops them.
func ParseWorkflowCommand(line string) (WorkflowCommand, bool) {
	if c, ok := parseCommand(line); ok {
		return c, true
	}
	return parseLegacyCommand(line)
}

// parseCommand parses the "::name props::data" form.
func parseCommand(line string) (WorkflowCommand, bool) {
	rest, ok := strings.CutPrefix(strings.TrimLeftFunc(line, unicode.IsSpace), "::")
	if !ok {
		return WorkflowCommand{}, false
	}
	return cutCommand(rest, "::", func(name, props, data string) WorkflowCommand {
		return WorkflowCommand{Name: name, Params: parseProps(strings.TrimSpace(props), ",", propUnescaper), Value: dataUnescaper.Replace(data)}
	})
}

// parseLegacyCommand parses the "##[name props]data" form.
func parseLegacyCommand(line string) (WorkflowCommand, bool) {
	_, rest, ok := strings.Cut(line, "##[")
	if !ok {
		return WorkflowCommand{}, false
	}
	return cutCommand(rest, "]", func(name, props, data string) WorkflowCommand {
		return WorkflowCommand{Name: name, Params: parseProps(props, ";", legacyUnescaper), Value: legacyUnescaper.Replace(data)}
	})
}

// cutCommand splits rest, what follows a command's opening, into the
// name (in lower case) and properties before end and the data after it,
// and builds the command from them; a command needs end and a name.
func cutCommand(rest, end string, build func(name, props, data string) WorkflowCommand) (WorkflowCommand, bool) {
	info, data, ok := strings.Cut(rest, end)
	if !ok {
		return WorkflowCommand{}, false
	}
	name, props, _ := strings.Cut(info, " ")
	if name == "" {
		return WorkflowCommand{}, false
	}
	return build(strings.ToLower(name), props, data), true
}

// parseProps splits "k=v<sep>k2=v2" into a map, skipping entries that lack
// a key or a value. It returns nil when there are none.
func parseProps(s, sep string, unescape *strings.Replacer) map[string]string {
	var props map[string]string
	for entry := range strings.SplitSeq(s, sep) {
		// GitHub splits on the first "=" dropping empty parts, so a
		// leading "=" is skipped rather than giving an empty key.
		entry = strings.TrimLeft(entry, "=")
		key, value, ok := strings.Cut(entry, "=")
		if !ok || key == "" || value == "" {
			continue
		}
		if props == nil {
			props = map[string]string{}
		}
		for k := range props {
			if strings.EqualFold(k, key) {
				delete(props, k)
			}
		}
		props[key] = unescape.Replace(value)
	}
	return props
}
