package console

import (
	"regexp"
	"strings"
	"sync"
)

// markdownRegexps are the patterns of the Markdown the terminal renderer
// understands, compiled on first use rather than at start-up (most commands render no Markdown).
type markdownRegexps struct {
	bold, code, listItem, heading, tableSep, tableLine *regexp.Regexp
}

var markdownRe = sync.OnceValue(func() markdownRegexps {
	return markdownRegexps{
		bold:      regexp.MustCompile(`\*\*([^*]+)\*\*|__([^_]+)__`),
		code:      regexp.MustCompile("`([^`]+)`"),
		listItem:  regexp.MustCompile(`^(\s*)[-*+]\s+(.*)$`),
		heading:   regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`),
		tableSep:  regexp.MustCompile(`^\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?$`),
		tableLine: regexp.MustCompile(`^\s*\|.*\|\s*$`),
	}
})

// renderMarkdown turns a step summary into terminal lines: headings in
// bold (underlined for levels 1 and 2), bullets as •, tables aligned,
// code fences indented, **bold** and `code` highlighted. Anything else
// passes through.
func renderMarkdown(md string, st Style) []string {
	lines := strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n")
	var out []string
	inFence := false
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~"):
			inFence = !inFence
		case inFence:
			out = append(out, "    "+st.paint(sgrDim, line))
		case markdownRe().tableLine.MatchString(line):
			var table []string
			for ; i < len(lines) && markdownRe().tableLine.MatchString(lines[i]); i++ {
				table = append(table, lines[i])
			}
			i--
			out = append(out, renderTable(table, st)...)
		case markdownRe().heading.MatchString(line):
			m := markdownRe().heading.FindStringSubmatch(line)
			text := inline(m[2], Style{})
			out = append(out, st.paint(sgrBold, text))
			if len(m[1]) <= 2 {
				out = append(out, strings.Repeat("─", len([]rune(text))))
			}
		case markdownRe().listItem.MatchString(line):
			m := markdownRe().listItem.FindStringSubmatch(line)
			out = append(out, m[1]+"• "+inline(m[2], st))
		case strings.HasPrefix(trimmed, ">"):
			out = append(out, st.paint(sgrDim, "│ ")+inline(strings.TrimSpace(strings.TrimPrefix(trimmed, ">")), st))
		default:
			out = append(out, inline(line, st))
		}
	}
	for len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
		out = out[:len(out)-1]
	}
	return out
}

// renderTable aligns a Markdown table's columns and draws its header
// separator as a line.
func renderTable(lines []string, st Style) []string {
	var rows [][]string
	sepAfter := -1
	for _, l := range lines {
		if markdownRe().tableSep.MatchString(strings.TrimSpace(l)) {
			sepAfter = len(rows) - 1
			continue
		}
		cells := strings.Split(strings.Trim(strings.TrimSpace(l), "|"), "|")
		for c := range cells {
			cells[c] = inline(strings.TrimSpace(cells[c]), Style{})
		}
		rows = append(rows, cells)
	}
	widths := columnWidths(rows)
	var out []string
	for r, row := range rows {
		cells := make([]string, len(row))
		for c, cell := range row {
			cells[c] = padRight(cell, widths[c])
		}
		line := strings.TrimRight(strings.Join(cells, "  "), " ")
		if r == sepAfter {
			line = st.paint(sgrBold, line)
		}
		out = append(out, line)
		if r == sepAfter {
			total := 0
			for _, w := range widths {
				total += w
			}
			out = append(out, strings.Repeat("─", total+2*(len(widths)-1)))
		}
	}
	return out
}

// inline renders **bold** and `code`, dropping their markers.
func inline(s string, st Style) string {
	s = markdownRe().bold.ReplaceAllStringFunc(s, func(m string) string {
		return st.paint(sgrBold, m[2:len(m)-2])
	})
	return markdownRe().code.ReplaceAllStringFunc(s, func(m string) string {
		return st.paint(sgrCyan, m[1:len(m)-1])
	})
}
