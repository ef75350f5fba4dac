package lint

import (
	"strings"

	"github.com/rhysd/actionlint"
)

// contextAliases are the contexts Forgejo and Gitea offer under their own
// names; each is the github context.
var contextAliases = []string{"forge", "forgejo", "gitea"}

// adapter rewrites a parsed workflow so that actionlint checks it as
// Forgejo runs it, and records in m how to map positions and messages back
// to the file.
type adapter struct {
	src  *source
	m    *posMap
	seen map[*actionlint.String]bool
	// uses are the uses: values as written, to tell when a shortened URL
	// form would be confused with one written short.
	uses map[string]bool
}

// adapt rewrites w in place: forge.x, forgejo.x and gitea.x in
// expressions become github.x, and URL-form uses: (https://host/owner/repo@ref) become
// owner/repo@ref. src is the text w was parsed from. The returned map
// turns actionlint's positions and messages on w back into ones about src.
func adapt(w *actionlint.Workflow, src []byte) *posMap {
	a := &adapter{
		src:  newSource(src),
		m:    &posMap{},
		seen: map[*actionlint.String]bool{},
		uses: map[string]bool{},
	}
	for _, j := range w.Jobs {
		if j == nil {
			continue
		}
		if j.WorkflowCall != nil && j.WorkflowCall.Uses != nil {
			a.uses[j.WorkflowCall.Uses.Value] = true
		}
		for _, s := range j.Steps {
			if s != nil {
				if e, ok := s.Exec.(*actionlint.ExecAction); ok && e.Uses != nil {
					a.uses[e.Uses.Value] = true
				}
			}
		}
	}
	for _, j := range w.Jobs {
		if j == nil {
			continue
		}
		a.condition(j.If)
		if j.WorkflowCall != nil {
			a.shortenURL(j.WorkflowCall.Uses)
		}
		for _, s := range j.Steps {
			if s == nil {
				continue
			}
			a.condition(s.If)
			if e, ok := s.Exec.(*actionlint.ExecAction); ok {
				a.shortenURL(e.Uses)
			}
		}
	}
	a.walkTree(w)
	return a.m
}

// condition rewrites an if: value. Without ${{ }} the whole value is an
// expression, as actionlint (and GitHub) read it.
func (a *adapter) condition(s *actionlint.String) {
	if s == nil || s.Pos == nil || strings.Contains(s.Value, "${{") {
		return
	}
	a.seen[s] = true
	if !mentionsAlias(s.Value) {
		return
	}
	// actionlint places a bare condition at the value's position, quoted
	// or not.
	if v, ok := a.rewriteExpr(s.Value+"}}", s.Pos.Line, s.Pos.Col); ok {
		s.Value = strings.TrimSuffix(v, "}}")
	}
}

// template rewrites the ${{ }} expressions in a string value and, for a
// literal block (run: |), records where its lines are.
func (a *adapter) template(s *actionlint.String) {
	if s == nil || s.Pos == nil || a.seen[s] {
		return
	}
	a.seen[s] = true
	if !strings.Contains(s.Value, "${{") {
		return
	}
	base := s.Pos.Col
	if s.Quoted {
		base++
	}
	if strings.Contains(s.Value, "\n") {
		if b, ok := a.src.literalBlock(s.Pos.Line, s.Pos.Col, s.Value); ok {
			a.m.addBlock(b)
		}
	}
	if mentionsAlias(s.Value) {
		s.Value = a.rewriteTemplate(s.Value, s.Pos.Line, base)
	}
}

// rewriteTemplate rewrites the aliases in each ${{ }} of v. line and base
// are where actionlint places offset 0 of v.
func (a *adapter) rewriteTemplate(v string, line, base int) string {
	var b strings.Builder
	done, changed := 0, false
	for {
		i := strings.Index(v[done:], "${{")
		if i < 0 {
			break
		}
		start := done + i + 3
		tokens, end, err := actionlint.LexExpression(v[start:])
		if err != nil {
			break
		}
		b.WriteString(v[done:start])
		expr := v[start : start+end]
		rewritten := a.replaceAliases(expr, tokens, line, base+b.Len())
		changed = changed || rewritten != expr
		b.WriteString(rewritten)
		done = start + end
	}
	if !changed {
		return v
	}
	b.WriteString(v[done:])
	return b.String()
}

// rewriteExpr rewrites the aliases in expr, which ends with "}}"; col is
// where actionlint places its first character. It reports false when expr
// does not lex (actionlint reports that itself).
func (a *adapter) rewriteExpr(expr string, line, col int) (string, bool) {
	tokens, end, err := actionlint.LexExpression(expr)
	if err != nil {
		return expr, false
	}
	return a.replaceAliases(expr[:end], tokens, line, col) + expr[end:], true
}

// replaceAliases returns expr with every context alias among tokens
// replaced by github, recording each replacement. col is where actionlint
// places expr's first character in the rewritten text.
func (a *adapter) replaceAliases(expr string, tokens []*actionlint.Token, line, col int) string {
	var b strings.Builder
	done := 0
	for i, t := range tokens {
		if t.Kind != actionlint.TokenKindIdent || !isContextAlias(t.Value) {
			continue
		}
		if i > 0 && tokens[i-1].Kind == actionlint.TokenKindDot {
			continue // a property named forgejo, not the context
		}
		b.WriteString(expr[done:t.Offset])
		a.m.addRewrite(rewrite{line: line, col: col + b.Len(), delta: len("github") - len(t.Value), orig: t.Value})
		b.WriteString("github")
		done = t.Offset + len(t.Value)
	}
	if done == 0 {
		return expr
	}
	b.WriteString(expr[done:])
	return b.String()
}

// mentionsAlias reports whether s may name a context alias, in any case;
// strings that do not are left alone without lexing them.
func mentionsAlias(s string) bool {
	for _, c := range contextAliases {
		for i := 0; i+len(c) <= len(s); i++ {
			if strings.EqualFold(s[i:i+len(c)], c) {
				return true
			}
		}
	}
	return false
}

// isContextAlias reports whether an identifier names the github context
// under another name; contexts are case-insensitive.
func isContextAlias(ident string) bool {
	for _, c := range contextAliases {
		if strings.EqualFold(ident, c) {
			return true
		}
	}
	return false
}

// shortenURL turns uses: https://host/owner/repo[/path]@ref into
// owner/repo[/path]@ref, the form actionlint knows. Messages naming the
// short form name the URL again, unless the short form is also used as
// written.
func (a *adapter) shortenURL(s *actionlint.String) {
	if s == nil || strings.Contains(s.Value, "${{") {
		return
	}
	rest, ok := strings.CutPrefix(s.Value, "https://")
	if !ok {
		rest, ok = strings.CutPrefix(s.Value, "http://")
	}
	if !ok {
		return
	}
	_, short, ok := strings.Cut(rest, "/")
	if !ok || short == "" {
		return
	}
	if !a.uses[short] {
		a.m.addRename(`"`+short+`"`, `"`+s.Value+`"`)
	}
	s.Value = short
}
