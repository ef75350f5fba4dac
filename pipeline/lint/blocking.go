package lint

import (
	"reflect"
	"strings"

	"github.com/rhysd/actionlint"
)

// blockingErrors checks every expression of w's jobs, env, run-name and
// concurrency (the places GitHub evaluates) for what fails wherever it
// runs: an expression that does not lex or parse, an undefined context or
// function, a function called with the wrong number of arguments.
// actionlint's expression rule reports the same, but stops at the first
// problem of a value, often a warning (a property the type lacks), so an
// undefined name after it would go unreported. The errors carry the
// positions actionlint's rule would give them, so that the two can be
// told apart; w has been adapted (aliases rewritten) already.
func blockingErrors(w *actionlint.Workflow) []*actionlint.Error {
	b := &blockingPass{conditions: map[*actionlint.String]bool{}}
	for _, j := range w.Jobs {
		if j == nil {
			continue
		}
		b.conditions[j.If] = true
		for _, s := range j.Steps {
			if s != nil {
				b.conditions[s.If] = true
			}
		}
	}
	b.walk(reflect.ValueOf(w.Env))
	b.walk(reflect.ValueOf(w.RunName))
	b.walk(reflect.ValueOf(w.Concurrency))
	b.walk(reflect.ValueOf(w.Jobs))
	return b.errs
}

// blockingPass collects blocking errors while walking a syntax tree.
type blockingPass struct {
	conditions map[*actionlint.String]bool
	seen       map[*actionlint.String]bool
	errs       []*actionlint.Error
}

// walk visits every string under v.
func (b *blockingPass) walk(v reflect.Value) {
	walkStrings(v, b.string, b.rawString)
}

// rawString checks the expressions of a matrix value.
func (b *blockingPass) rawString(s *actionlint.RawYAMLString) {
	if s.Pos() != nil {
		b.template(s.Value, s.Pos().Line, s.Pos().Col)
	}
}

// string checks one string value: a condition without ${{ }} is one
// expression; any other value may hold several.
func (b *blockingPass) string(s *actionlint.String) {
	if s == nil || s.Pos == nil {
		return
	}
	if b.seen == nil {
		b.seen = map[*actionlint.String]bool{}
	}
	if b.seen[s] {
		return
	}
	b.seen[s] = true
	if b.conditions[s] && !strings.Contains(s.Value, "${{") {
		b.expression(s.Value+"}}", s.Pos.Line, s.Pos.Col)
		return
	}
	col := s.Pos.Col
	if s.Quoted {
		col++
	}
	b.template(s.Value, s.Pos.Line, col)
}

// template checks each ${{ }} of v; line and col are where actionlint
// places offset 0 of v.
func (b *blockingPass) template(v string, line, col int) {
	offset := 0
	for {
		i := strings.Index(v, "${{")
		if i < 0 {
			return
		}
		v = v[i+3:]
		offset += i + 3
		end, ok := b.expression(v, line, col+offset)
		if !ok || end == 0 {
			return
		}
		v = v[end:]
		offset += end
	}
}

// expression checks the expression at the start of src, which ends with
// "}}", at line and col. It returns the offset after the expression, and
// false when it does not parse (the rest of the value cannot be read).
func (b *blockingPass) expression(src string, line, col int) (int, bool) {
	l := actionlint.NewExprLexer(src)
	expr, err := actionlint.NewExprParser().Parse(l)
	if err != nil {
		b.add(err, line, col)
		return 0, false
	}
	_, errs := actionlint.NewExprSemanticsChecker(false, nil).Check(expr)
	for _, e := range errs {
		if blocking(e.Message) {
			b.add(e, line, col)
		}
	}
	return l.Offset(), true
}

// add records err, whose position is relative to an expression starting
// at line and col, as actionlint's rule would.
func (b *blockingPass) add(err *actionlint.ExprError, line, col int) {
	b.errs = append(b.errs, &actionlint.Error{
		Message: err.Message,
		Line:    err.Line - 1 + line,
		Column:  err.Column - 1 + col,
		Kind:    "expression",
	})
}

// blocking reports whether msg, an expression finding, is an error.
func blocking(msg string) bool {
	for _, prefix := range blockingExpression {
		if strings.HasPrefix(msg, prefix) {
			return true
		}
	}
	return false
}
