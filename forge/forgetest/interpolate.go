package forgetest

import (
	"fmt"
	"strings"

	"github.com/nektos/act/pkg/exprparser"
	"github.com/nektos/act/pkg/model"
	"gopkg.in/yaml.v3"
)

// exprEnv is what the server's expressions see of a run: the github
// context (without a token, run_id or job), vars (not for a dispatched
// run) and dispatch inputs. The server evaluates only run-name, and a
// matrix job's name and runs-on; needs there have no results yet.
type exprEnv struct {
	github *model.GithubContext
	vars   map[string]string
	inputs map[string]any
}

// exprScope is the job an expression is evaluated for; zero for run-name.
type exprScope struct {
	jobID    string
	needsOf  map[string][]string
	matrix   map[string]any
	strategy map[string]any
}

func hasExpression(s string) bool {
	return strings.Contains(s, "${{") && strings.Contains(s, "}}")
}

// interpolate replaces the expressions in s as Gitea's server does: the
// text becomes one format() call; an error makes the whole value empty.
func (e exprEnv) interpolate(s string, scope exprScope) string {
	if !hasExpression(s) {
		return s
	}
	call, ok := formatCall(s)
	if !ok {
		return ""
	}
	github := e.github
	if github == nil {
		github = &model.GithubContext{}
	}
	env := &exprparser.EvaluationEnvironment{Github: github, Vars: e.vars, Inputs: e.inputs}
	cfg := exprparser.Config{}
	if scope.jobID != "" {
		env.Strategy = scope.strategy
		if env.Strategy == nil {
			env.Strategy = map[string]any{}
		}
		env.Matrix = scope.matrix
		env.Needs = map[string]exprparser.Needs{}
		jobs := map[string]*model.Job{}
		for id, needs := range scope.needsOf {
			var n yaml.Node
			_ = n.Encode(needs) // a []string always encodes
			jobs[id] = &model.Job{RawNeeds: n}
		}
		for _, need := range scope.needsOf[scope.jobID] {
			if _, ok := jobs[need]; ok {
				env.Needs[need] = exprparser.Needs{}
			}
		}
		cfg = exprparser.Config{Run: &model.Run{Workflow: &model.Workflow{Jobs: jobs}, JobID: scope.jobID}, Context: "job"}
	}
	v, err := exprparser.NewInterpeter(env, cfg).Evaluate(call, exprparser.DefaultStatusCheckNone)
	if err != nil {
		return ""
	}
	str, _ := v.(string) // format() returns a string
	return str
}

// formatCall turns text with ${{ }} expressions into
// format('text {0} text', expr0): quotes inside an expression are skipped
// when looking for its end. False for an expression that is not closed.
func formatCall(s string) (string, bool) {
	var format strings.Builder
	var args []string
	for {
		start := strings.Index(s, "${{")
		if start < 0 {
			format.WriteString(escapeBraces(s))
			break
		}
		format.WriteString(escapeBraces(s[:start]))
		rest := s[start+3:]
		end := expressionEnd(rest)
		if end < 0 {
			return "", false
		}
		fmt.Fprintf(&format, "{%d}", len(args))
		args = append(args, strings.TrimSpace(rest[:end]))
		s = rest[end+2:]
	}
	return fmt.Sprintf("format('%s', %s)", strings.ReplaceAll(format.String(), "'", "''"), strings.Join(args, ", ")), true
}

// expressionEnd is the index of the "}}" closing an expression, outside
// its string literals (” is a quote inside one); -1 when there is none.
func expressionEnd(s string) int {
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'':
			for i++; i < len(s); i++ {
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
		case strings.HasPrefix(s[i:], "}}"):
			return i
		}
	}
	return -1
}

func escapeBraces(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "{", "{{"), "}", "}}")
}
