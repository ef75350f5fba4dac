package expr

import (
	"strings"

	"github.com/nektos/act/pkg/exprparser"
)

// Interpolate replaces every ${{ }} in s by its value converted with
// ToString. A "}}" inside a quoted string ('a}}b') does not end an
// expression. A string without "${{" is returned as is, without allocating.
func (c *Contexts) Interpolate(s string) (string, error) {
	if !strings.Contains(s, "${{") {
		return s, nil
	}
	return c.interpolate(s, c.environment())
}

// interpolate is Interpolate with the environment built once by the caller.
func (c *Contexts) interpolate(s string, env *exprparser.EvaluationEnvironment) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${{")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		rest := s[i+3:]
		p, end, err := c.compile(rest)
		if err != nil {
			return "", &Error{Expression: p.source, Err: err}
		}
		v, err := c.run(p, env)
		if err != nil {
			return "", err
		}
		b.WriteString(ToString(v))
		s = rest[end:]
	}
}

// InterpolateValue interpolates every string in v, walking map[string]any
// and []any (and map[string]string, []string) into new values; other values
// are returned unchanged. A string that is exactly one ${{ }} keeps the
// type of its value, so `matrix: ${{ fromJSON(...) }}` yields a list or a
// map; any other string is interpolated to a string.
func (c *Contexts) InterpolateValue(v any) (any, error) {
	var env *exprparser.EvaluationEnvironment
	return c.interpolateValue(v, &env)
}

// interpolateValue walks v, building the environment on the first
// expression it meets.
func (c *Contexts) interpolateValue(v any, env **exprparser.EvaluationEnvironment) (any, error) {
	switch x := v.(type) {
	case string:
		if !strings.Contains(x, "${{") {
			return x, nil
		}
		if *env == nil {
			*env = c.environment()
		}
		if rest, ok := strings.CutPrefix(x, "${{"); ok {
			p, end, err := c.compile(rest)
			if err != nil {
				return nil, &Error{Expression: p.source, Err: err}
			}
			if end == len(rest) {
				return c.run(p, *env)
			}
		}
		return c.interpolate(x, *env)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			iv, err := c.interpolateValue(item, env)
			if err != nil {
				return nil, err
			}
			out[k] = iv
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			iv, err := c.interpolateValue(item, env)
			if err != nil {
				return nil, err
			}
			out[i] = iv
		}
		return out, nil
	case map[string]string:
		out := make(map[string]string, len(x))
		for k, item := range x {
			s, err := c.interpolateString(item, env)
			if err != nil {
				return nil, err
			}
			out[k] = s
		}
		return out, nil
	case []string:
		out := make([]string, len(x))
		for i, item := range x {
			s, err := c.interpolateString(item, env)
			if err != nil {
				return nil, err
			}
			out[i] = s
		}
		return out, nil
	}
	return v, nil
}

// interpolateString interpolates one string of a typed string container.
func (c *Contexts) interpolateString(s string, env **exprparser.EvaluationEnvironment) (string, error) {
	if !strings.Contains(s, "${{") {
		return s, nil
	}
	if *env == nil {
		*env = c.environment()
	}
	return c.interpolate(s, *env)
}
