package expr

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nektos/act/pkg/exprparser"
)

// Level says which if: a condition belongs to. The status functions read
// Contexts.Status at both levels; the caller fills Status with the step or
// the job view (see Status).
type Level int

const (
	// LevelStep is a step's if:.
	LevelStep Level = iota
	// LevelJob is a job's if:.
	LevelJob
)

// String returns "step" or "job".
func (l Level) String() string {
	switch l {
	case LevelStep:
		return "step"
	case LevelJob:
		return "job"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// Evaluate evaluates one expression, written with or without ${{ }}, and
// returns its value: nil, bool, a number (int or float64), string,
// map[string]any, []any or a context value. A string holding text around
// its ${{ }} is a template: Evaluate returns Interpolate's string.
func (c *Contexts) Evaluate(expression string) (any, error) {
	p, template, err := c.parse(expression)
	if err != nil {
		return nil, err
	}
	if template {
		return c.Interpolate(expression)
	}
	return c.run(p, c.environment())
}

// Condition evaluates an if: condition, written with or without ${{ }}, as
// GitHub does: an empty condition means success(), and a condition that
// calls no status function is read as success() && (condition). The value
// is then converted to a boolean (null, false, 0, NaN and the empty string are false).
// A condition with text around its ${{ }} is a non-empty string: true when
// success() is.
func (c *Contexts) Condition(cond string, level Level) (bool, error) {
	if level != LevelStep && level != LevelJob {
		return false, fmt.Errorf("evaluating condition %q: unknown level %v: use LevelStep or LevelJob", cond, level)
	}
	if strings.TrimSpace(cond) == "" {
		return c.success(), nil
	}
	p, template, err := c.parse(cond)
	if err != nil {
		return false, err
	}
	if template {
		s, err := c.Interpolate(cond)
		if err != nil {
			return false, err
		}
		return c.success() && s != "", nil
	}
	if !p.usesStatus {
		success := "false"
		if c.success() {
			success = "true"
		}
		p.code = success + " && (" + p.code + ")"
	}
	v, err := c.run(p, c.environment())
	if err != nil {
		return false, err
	}
	return exprparser.IsTruthy(v), nil
}

// parse compiles s, an expression with or without ${{ }}. template is true
// when s holds text besides one ${{ }}, to be interpolated instead.
func (c *Contexts) parse(s string) (p program, template bool, err error) {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "${{"); ok {
		p, end, err := c.compile(rest)
		if err != nil {
			return p, false, &Error{Expression: p.source, Err: err}
		}
		return p, end != len(rest), nil
	}
	if strings.Contains(s, "${{") {
		return program{}, true, nil
	}
	p, end, err := c.compile(s + "}}")
	if err != nil {
		return p, false, &Error{Expression: s, Err: err}
	}
	if end != len(s)+2 {
		return p, false, &Error{Expression: s, Err: &invalidError{msg: "unexpected }} in the middle of the expression: quote it as a string ('}}')"}}
	}
	return p, false, nil
}

// run evaluates a compiled program with act's interpreter. act panics on
// some odd input; run turns that into an error.
func (c *Contexts) run(p program, env *exprparser.EvaluationEnvironment) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, &Error{Expression: p.source, Err: fmt.Errorf("%s", lowerFirst(fmt.Sprint(r)))}
		}
	}()
	interpreter := exprparser.NewInterpeter(env, exprparser.Config{Context: "step", WorkingDir: c.Workspace})
	v, err = interpreter.Evaluate(p.code, exprparser.DefaultStatusCheckNone)
	if err != nil {
		var hashErr *hashFilesError
		if errors.As(err, &hashErr) {
			return nil, &Error{Expression: p.source, Err: hashErr.err}
		}
		msg := lowerFirst(err.Error())
		if strings.HasPrefix(msg, "failed to parse: ") {
			return nil, &Error{Expression: p.source, Err: &invalidError{msg: msg}}
		}
		return nil, &Error{Expression: p.source, Err: errors.New(msg)}
	}
	return v, nil
}
