package lint

import (
	"fmt"
	"strings"

	"codeberg.org/anvil-ci/anvil/pipeline"
)

// maxTypeText is the longest object type kept whole in a message.
const maxTypeText = 120

// tidyMessage makes actionlint's messages fit anvil. "property "x" is not
// defined in object type {...}" becomes readable in a log: a type longer than maxTypeText (the
// github context has almost fifty properties) is cut to its first property
// names and their count, and a property name close to x is suggested.
func tidyMessage(msg string) string {
	// Configuration variables come from the caller here, not from
	// actionlint's config file.
	msg = strings.Replace(msg, "defined configuration variables in actionlint.yaml are", "defined configuration variables are", 1)
	const marker = " is not defined in object type {"
	i := strings.Index(msg, marker)
	if !strings.HasPrefix(msg, "property ") || i < 0 {
		return msg
	}
	start := i + len(marker)
	end := closingBrace(msg, start)
	if end < 0 {
		return msg
	}
	props := propertyNames(msg[start:end])
	out := msg
	if end-start > maxTypeText {
		shown := props[:min(6, len(props))]
		out = fmt.Sprintf("%s{%s, … (%d properties)}%s", msg[:start-1], strings.Join(shown, ", "), len(props), msg[end+1:])
	}
	names := quotedNames(msg)
	if len(names) > 0 {
		if s := closest(unquote(names[0]), props); s != "" {
			out += fmt.Sprintf("; did you mean %q?", s)
		}
	}
	return out
}

// closingBrace returns the index of the brace that closes the one before
// start, or -1.
func closingBrace(s string, start int) int {
	depth := 1
	for i := start; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// propertyNames lists the top-level names of an object type's text
// ("a: string; b: {c: number}").
func propertyNames(typ string) []string {
	var names []string
	depth, field := 0, 0
	for i := 0; i <= len(typ); i++ {
		if i < len(typ) {
			switch typ[i] {
			case '{':
				depth++
				continue
			case '}':
				depth--
				continue
			case ';':
				if depth > 0 {
					continue
				}
			default:
				continue
			}
		}
		name, _, _ := strings.Cut(typ[field:i], ":")
		if name = strings.TrimSpace(name); name != "" {
			names = append(names, name)
		}
		field = i + 1
	}
	return names
}

// closest returns the candidate within two edits of s, or "".
func closest(s string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := pipeline.EditDistance(strings.ToLower(s), strings.ToLower(c)); d < bestDist && d < len(s) {
			best, bestDist = c, d
		}
	}
	return best
}
