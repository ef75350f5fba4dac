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

// arity is how many arguments a function takes; max < 0 means no limit.
type arity struct{ min, max int }

// functions lists the functions an expression may call, by lower-cased name.
var functions = map[string]arity{
	"contains":   {2, 2},
	"startswith": {2, 2},
	"endswith":   {2, 2},
	"format":     {1, -1},
	"join":       {1, 2},
	"tojson":     {1, 1},
	"fromjson":   {1, 1},
	"hashfiles":  {1, -1},
	"success":    {0, 0},
	"failure":    {0, 0},
	"cancelled":  {0, 0},
	"always":     {0, 0},
}

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
	p := program{source: strings.TrimSpace(src[:endTok.Offset])}
	var b strings.Builder
	b.Grow(endTok.Offset + 16)
	last := 0
	var stack []frame
	for i := 0; i < len(toks)-1; i++ {
		t := toks[i]
		closing := t.Kind == actionlint.TokenKindRightParen || t.Kind == actionlint.TokenKindRightBracket
		if len(stack) > 0 && !closing {
			stack[len(stack)-1].nonEmpty = true
		}
		switch t.Kind {
		case actionlint.TokenKindIdent:
			if i > 0 && toks[i-1].Kind == actionlint.TokenKindDot {
				continue // a property name
			}
			if toks[i+1].Kind == actionlint.TokenKindLeftParen {
				name := strings.ToLower(t.Value)
				if _, ok := functions[name]; !ok {
					return p, end, &invalidError{msg: fmt.Sprintf("unknown function %q: use one of contains, startsWith, endsWith, format, join, toJSON, fromJSON, hashFiles, success, failure, cancelled, always", t.Value)}
				}
				if value, ok := c.statusValue(name); ok {
					if toks[i+2].Kind != actionlint.TokenKindRightParen {
						return p, end, &invalidError{msg: fmt.Sprintf("%s() takes no arguments", t.Value)}
					}
					b.WriteString(src[last:t.Offset])
					b.WriteString(strconv.FormatBool(value))
					last = toks[i+2].Offset + 1
					p.usesStatus = true
					i += 2
					continue
				}
				f := frame{fn: name, name: t.Value, formatArgs: -1}
				if name == "format" {
					if lit, ok := literalArgument(toks[i+2:]); ok {
						n, err := formatArgs(lit)
						if err != nil {
							return p, end, err
						}
						f.formatArgs, f.formatString = n, lit
					}
				}
				stack = append(stack, f)
				i++ // the '(' is part of the call
				continue
			}
			switch t.Value {
			case "true", "false", "null":
				continue
			}
			lower := strings.ToLower(t.Value)
			if lower == "nan" || lower == "infinity" {
				continue
			}
			key, ok := contextNames[lower]
			if !ok {
				return p, end, &invalidError{msg: fmt.Sprintf("unknown context %q: use one of %s", t.Value, knownContexts)}
			}
			b.WriteString(src[last:t.Offset])
			b.WriteString(rootContext + "['" + key + "']")
			last = t.Offset + len(t.Value)
		case actionlint.TokenKindInt:
			if _, err := strconv.ParseInt(t.Value, 0, 32); err == nil {
				continue
			}
			// act parses integers as 32 bits; GitHub's numbers are doubles.
			b.WriteString(src[last:t.Offset])
			b.WriteString(floatLiteral(t.Value))
			last = t.Offset + len(t.Value)
		case actionlint.TokenKindLeftParen, actionlint.TokenKindLeftBracket:
			stack = append(stack, frame{})
		case actionlint.TokenKindComma:
			if len(stack) > 0 {
				stack[len(stack)-1].commas++
			}
		case actionlint.TokenKindRightParen, actionlint.TokenKindRightBracket:
			if len(stack) == 0 {
				continue // act's parser reports the stray bracket
			}
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if err := checkArity(top); err != nil {
				return p, end, err
			}
		}
	}
	b.WriteString(src[last:endTok.Offset])
	p.code = b.String()
	return p, end, nil
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

// checkArity reports a function call closed with the wrong number of
// arguments.
func checkArity(f frame) error {
	if f.fn == "" {
		return nil
	}
	args := 0
	if f.nonEmpty {
		args = f.commas + 1
	}
	if f.formatArgs >= 0 && args-1 < f.formatArgs {
		return &invalidError{msg: fmt.Sprintf("format string %q references argument {%d} but only %d argument(s) follow it", f.formatString, f.formatArgs-1, args-1)}
	}
	want := functions[f.fn]
	switch {
	case args < want.min && want.max < 0:
		return &invalidError{msg: fmt.Sprintf("%s() takes at least %d argument(s), got %d", f.name, want.min, args)}
	case args < want.min || (want.max >= 0 && args > want.max):
		if want.min == want.max {
			return &invalidError{msg: fmt.Sprintf("%s() takes %d argument(s), got %d", f.name, want.min, args)}
		}
		return &invalidError{msg: fmt.Sprintf("%s() takes %d to %d arguments, got %d", f.name, want.min, want.max, args)}
	}
	return nil
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

// statusValue returns the value of a status function, and false for any
// other function.
func (c *Contexts) statusValue(name string) (bool, bool) {
	switch name {
	case "success":
		return c.success(), true
	case "failure":
		return c.Status.Failed, true
	case "cancelled":
		return c.Status.Cancelled, true
	case "always":
		return true, true
	}
	return false, false
}

// success is success(): nothing failed and the run was not cancelled.
func (c *Contexts) success() bool {
	return !c.Status.Failed && !c.Status.Cancelled
}
