package expr

import (
	"github.com/nektos/act/pkg/exprparser"
	"github.com/nektos/act/pkg/model"
)

// environment maps the contexts into act's EvaluationEnvironment. Every
// context lives under the root context (see rootContext), so act reads our
// plain maps: a missing key gives null and github keeps every key it was
// given. Nil maps become empty ones so that toJSON prints {} as GitHub does.
func (c *Contexts) environment() *exprparser.EvaluationEnvironment {
	root := map[string]any{
		"github":   orEmpty(c.Github),
		"env":      orEmpty(c.Env),
		"vars":     orEmpty(c.Vars),
		"secrets":  orEmpty(c.Secrets),
		"inputs":   orEmpty(c.Inputs),
		"job":      c.Job,
		"jobs":     orEmpty(c.Jobs),
		"steps":    orEmpty(c.Steps),
		"runner":   orEmpty(c.Runner),
		"strategy": orEmpty(c.Strategy),
		"matrix":   orEmpty(c.Matrix),
		"needs":    orEmpty(c.Needs),
	}
	return &exprparser.EvaluationEnvironment{
		Inputs: root,
		// act evaluates strings it compares with numbers as expressions; a
		// status function called that way reads Job, which must not be nil.
		Job:       &model.JobContext{},
		HashFiles: c.hashFilesValues,
	}
}

// orEmpty returns m, or an empty map when m is nil.
func orEmpty[M ~map[string]V, V any](m M) M {
	if m == nil {
		return M{}
	}
	return m
}
