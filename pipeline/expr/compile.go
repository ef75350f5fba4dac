package expr

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rhysd/actionlint"
)

// rootContext is the act context that carries every one of ours: each
// context name in an expression is rewritten to an index into it, so that act
// sees plain maps (github as data, not as act's GithubContext struct) and the
// forgejo and gitea aliases resolve to the same value as github.
const rootContext = "inputs"

// contextNames maps every context name, lower-cased, to its key in the root
// context.
var contextNames = map[string]string{
	"github":   "github",
	"forgejo":  "github",
	"gitea":    "github",
	"env":      "env",
	"vars":     "vars",
	"secrets":  "secrets",
	"inputs":   "inputs",
	"job":      "job",
	"jobs":     "jobs",
	"steps":    "steps",
	"runner":   "runner",
	"strategy": "strategy",
	"matrix":   "matrix",
	"needs":    "needs",
}

// knownContexts lists the context names for error messages.
const knownContexts = "github (or forgejo, gitea), env, vars, secrets, inputs, job, jobs, steps, runner, strategy, matrix, needs"

// program is one expression, checked and rewritten for act's interpreter.
type program struct {
	// source is the expression as written, for messages.
	source string
	// code is what act evaluates: context names point into the root
	// context, status function calls are replaced by their value and
	// integers too large for act's parser are written as floats.
	code string
	// usesStatus is true when the expression calls a status function, in
	// which case a condition is not wrapped in success() && (...).
	usesStatus bool
}

// frame is an open parenthesis or bracket while compiling, counting the
// arguments of a function call.
type frame struct {
	fn   string // lower-cased function name, "" for grouping or index
	name string // the function name as written, for messages
	// formatArgs is how many arguments a literal format string needs, or
	// -1 when the format string is not a literal.
	formatArgs   int
	formatString string
	commas       int
	nonEmpty     bool
}

// compiler holds the state of one compile.
type compiler struct {
	c     *Contexts
	src   string
	toks  []*actionlint.Token
	code  strings.Builder
	last  int // offset in src up to which code holds src
	stack []frame
	p     program
}

// compile lexes src, which starts with an expression closed by "}}" and may
// continue with more text, and returns the program and the offset just after
// the closing "}}". It checks everything that does not need values: syntax
// the lexer sees, context and function names and argument counts. act's
// parser checks the grammar when the program runs.
func (c *Contexts) compile(src string) (program, int, error) {
	toks, end, lexErr := actionlint.LexExpression(src)
	if lexErr != nil {
		return program{source: lexSource(src, lexErr.Offset)}, end, &invalidError{msg: lexErr.Message}
	}
	endTok := toks[len(toks)-1]
	cp := compiler{c: c, src: src, toks: toks}
	cp.p.source = strings.TrimSpace(src[:endTok.Offset])
	cp.code.Grow(endTok.Offset + 16)
	for i := 0; i < len(toks)-1; i++ {
		next, err := cp.token(i)
		if err != nil {
			return cp.p, end, err
		}
		i = next
	}
	cp.code.WriteString(src[cp.last:endTok.Offset])
	cp.p.code = cp.code.String()
	return cp.p, end, nil
}

// token compiles the token at i and returns the index of the last token it
// used.
func (cp *compiler) token(i int) (int, error) {
	t := cp.toks[i]
	closing := t.Kind == actionlint.TokenKindRightParen || t.Kind == actionlint.TokenKindRightBracket
	if len(cp.stack) > 0 && !closing {
		cp.stack[len(cp.stack)-1].nonEmpty = true
	}
	switch t.Kind {
	case actionlint.TokenKindIdent:
		if i > 0 && cp.toks[i-1].Kind == actionlint.TokenKindDot {
			return i, nil // a property name
		}
		if cp.toks[i+1].Kind == actionlint.TokenKindLeftParen {
			return cp.call(i)
		}
		return i, cp.name(t)
	case actionlint.TokenKindInt:
		if _, err := strconv.ParseInt(t.Value, 0, 32); err != nil {
			// act parses integers as 32 bits; GitHub's numbers are doubles.
			cp.replace(t.Offset, t.Offset+len(t.Value), floatLiteral(t.Value))
		}
	case actionlint.TokenKindLeftParen, actionlint.TokenKindLeftBracket:
		cp.stack = append(cp.stack, frame{})
	case actionlint.TokenKindComma:
		if len(cp.stack) > 0 {
			cp.stack[len(cp.stack)-1].commas++
		}
	case actionlint.TokenKindRightParen, actionlint.TokenKindRightBracket:
		if len(cp.stack) == 0 {
			return i, nil // act's parser reports the stray bracket
		}
		top := cp.stack[len(cp.stack)-1]
		cp.stack = cp.stack[:len(cp.stack)-1]
		return i, checkArity(top)
	}
	return i, nil
}

// call compiles a function call whose name is the token at i. A status
// function call becomes its value; any other opens a frame that counts its
// arguments.
func (cp *compiler) call(i int) (int, error) {
	t := cp.toks[i]
	fn := strings.ToLower(t.Value)
	if _, ok := functions[fn]; !ok {
		return i, &invalidError{msg: fmt.Sprintf("unknown function %q: use one of %s", t.Value, knownFunctions)}
	}
	if value, ok := cp.c.statusValue(fn); ok {
		closing := cp.toks[i+2]
		if closing.Kind != actionlint.TokenKindRightParen {
			return i, &invalidError{msg: fmt.Sprintf("%s() takes no arguments", t.Value)}
		}
		cp.replace(t.Offset, closing.Offset+1, strconv.FormatBool(value))
		cp.p.usesStatus = true
		return i + 2, nil
	}
	f := frame{fn: fn, name: t.Value, formatArgs: -1}
	if fn == "format" {
		if lit, ok := literalArgument(cp.toks[i+2:]); ok {
			n, err := formatArgs(lit)
			if err != nil {
				return i, err
			}
			f.formatArgs, f.formatString = n, lit
		}
	}
	cp.stack = append(cp.stack, f)
	return i + 1, nil // the '(' belongs to the call
}

// name compiles a named value: a keyword, or a context that becomes an
// index into the root context.
func (cp *compiler) name(t *actionlint.Token) error {
	switch t.Value {
	case "true", "false", "null":
		return nil
	}
	lower := strings.ToLower(t.Value)
	if lower == "nan" || lower == "infinity" {
		return nil
	}
	key, ok := contextNames[lower]
	if !ok {
		return &invalidError{msg: fmt.Sprintf("unknown context %q: use one of %s", t.Value, knownContexts)}
	}
	cp.replace(t.Offset, t.Offset+len(t.Value), rootContext+"['"+key+"']")
	return nil
}

// replace writes the source up to from, then s in place of src[from:to].
func (cp *compiler) replace(from, to int, s string) {
	cp.code.WriteString(cp.src[cp.last:from])
	cp.code.WriteString(s)
	cp.last = to
}

// lexSource guesses the expression to name when src failed to lex at
// offset: the text up to the next "}}".
func lexSource(src string, offset int) string {
	offset = min(max(offset, 0), len(src))
	if i := strings.Index(src[offset:], "}}"); i >= 0 {
		return strings.TrimSpace(src[:offset+i])
	}
	return strings.TrimSpace(src)
}

// floatLiteral rewrites an integer literal act cannot parse as a float
// literal of the same value.
func floatLiteral(lit string) string {
	var f float64
	if i, err := strconv.ParseInt(lit, 0, 64); err == nil {
		f = float64(i)
	} else if u, err := strconv.ParseUint(strings.TrimPrefix(lit, "-"), 0, 64); err == nil {
		f = float64(u)
		if strings.HasPrefix(lit, "-") {
			f = -f
		}
	} else if f, err = strconv.ParseFloat(lit, 64); err != nil {
		return lit // let act's parser report it
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}
