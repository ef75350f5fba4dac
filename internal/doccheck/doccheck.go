// Package doccheck checks the relative links of Anvil's Markdown
// documentation: every link to a file must name one that exists, and every
// #anchor must name a heading of its page, slugged as GitHub slugs them.
// TestLinks runs the check on README.md and docs/.
package doccheck

import (
	"bufio"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

var (
	linkRE    = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	headingRE = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
	codeRE    = regexp.MustCompile("`[^`]*`")
)

// Slug returns the anchor GitHub gives a heading: lower case, punctuation
// other than '-' and '_' dropped, spaces turned into '-'.
func Slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || isWord(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isWord(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 && r != '…' && r != '→' && r != '—'
}

// page is a Markdown file's anchors and links.
type page struct {
	anchors map[string]bool
	links   []link
}

type link struct {
	line   int
	target string
}

// read parses a Markdown file, skipping fenced code blocks.
func read(path string) (page, error) {
	f, err := os.Open(path)
	if err != nil {
		return page{}, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	p := page{anchors: map[string]bool{}}
	seen := map[string]int{}
	fenced := false
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		if m := headingRE.FindStringSubmatch(line); m != nil {
			s := Slug(m[1])
			if k, dup := seen[s]; dup {
				seen[s] = k + 1
				s = fmt.Sprintf("%s-%d", s, k+1)
			} else {
				seen[s] = 0
			}
			p.anchors[s] = true
		}
		// Links inside inline code are text, not links.
		for _, m := range linkRE.FindAllStringSubmatch(codeRE.ReplaceAllString(line, ""), -1) {
			p.links = append(p.links, link{line: n, target: m[1]})
		}
	}
	if err := sc.Err(); err != nil {
		return page{}, fmt.Errorf("read %s: %w", path, err)
	}
	return p, nil
}

// Check reads the Markdown files (paths relative to root) and returns one
// message per broken relative link: "FILE:LINE: TARGET: why".
func Check(root string, files []string) ([]string, error) {
	pages := map[string]page{}
	load := func(rel string) (page, error) {
		if p, ok := pages[rel]; ok {
			return p, nil
		}
		p, err := read(filepath.Join(root, rel))
		if err != nil {
			return page{}, err
		}
		pages[rel] = p
		return p, nil
	}
	var broken []string
	for _, file := range files {
		p, err := load(file)
		if err != nil {
			return nil, err
		}
		for _, l := range p.links {
			u, err := url.Parse(l.target)
			if err != nil || u.Scheme != "" || strings.HasPrefix(l.target, "/") {
				continue // absolute or external: not checked here
			}
			where := fmt.Sprintf("%s:%d: %s", file, l.line, l.target)
			target := file
			if u.Path != "" {
				target = filepath.Join(filepath.Dir(file), filepath.FromSlash(u.Path))
				if _, err := os.Stat(filepath.Join(root, target)); err != nil {
					broken = append(broken, where+": no such file")
					continue
				}
			}
			if u.Fragment == "" || !strings.HasSuffix(target, ".md") {
				continue
			}
			tp, err := load(target)
			if err != nil {
				return nil, err
			}
			if !tp.anchors[u.Fragment] {
				broken = append(broken, fmt.Sprintf("%s: %s has no heading with anchor #%s", where, filepath.ToSlash(target), u.Fragment))
			}
		}
	}
	return broken, nil
}
