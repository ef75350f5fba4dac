package actions_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/actions/argocd"
	"codeberg.org/anvil-ci/anvil/actions/gitops"
	"codeberg.org/anvil-ci/anvil/actions/step"
	"codeberg.org/anvil-ci/anvil/actions/terraform"
)

// parser is one shipped action's input parser, with the inputs it needs
// to succeed and, per kind, the inputs it has of that kind and how to read
// each back from what it parsed.
type parser struct {
	action    string
	base      map[string]string
	parse     func(*step.Inputs) (any, error)
	bools     map[string]func(any) bool
	ints      map[string]func(any) int
	durations map[string]func(any) time.Duration
	lists     map[string]func(any) []string
}

type tfParsed[O any] struct {
	run  terraform.RunOptions
	opts O
}

type argocdParsed[C any] struct {
	conn argocd.Connection
	cfg  C
}

func parsers() []parser {
	argocdBase := map[string]string{"server": "https://argocd.test", "app": "web", "token": "t0ken"}
	tfPlan := func(in *step.Inputs) (any, error) {
		r, o, err := terraform.ParsePlan(in)
		return tfParsed[terraform.PlanOptions]{r, o}, err
	}
	plan := func(p any) terraform.PlanOptions { return p.(tfParsed[terraform.PlanOptions]).opts }
	tfTimeout := func(p any) time.Duration {
		switch p := p.(type) {
		case tfParsed[terraform.PlanOptions]:
			return p.run.Timeout
		case tfParsed[terraform.ApplyOptions]:
			return p.run.Timeout
		case tfParsed[terraform.DriftOptions]:
			return p.run.Timeout
		}
		panic(fmt.Sprintf("not a Terraform parse: %T", p))
	}
	sync := func(p any) argocd.SyncConfig { return p.(argocdParsed[argocd.SyncConfig]).cfg }
	wait := func(p any) argocd.WaitConfig { return p.(argocdParsed[argocd.WaitConfig]).cfg }
	type promotion struct {
		cfg     gitops.Config
		timeout time.Duration
	}
	promote := func(p any) promotion { return p.(promotion) }
	return []parser{
		{
			action: "terraform-plan",
			parse:  tfPlan,
			bools: map[string]func(any) bool{
				"destroy":      func(p any) bool { return plan(p).Destroy },
				"refresh-only": func(p any) bool { return plan(p).RefreshOnly },
			},
			durations: map[string]func(any) time.Duration{"timeout": tfTimeout, "lock-timeout": func(p any) time.Duration { return plan(p).LockTimeout }},
			lists: map[string]func(any) []string{
				"targets":   func(p any) []string { return plan(p).Targets },
				"var-files": func(p any) []string { return plan(p).VarFiles },
			},
		},
		{
			action: "terraform-apply",
			base:   map[string]string{"bundle": "plan.bundle", "expected-sha256": "00"},
			parse: func(in *step.Inputs) (any, error) {
				r, o, err := terraform.ParseApply(in)
				return tfParsed[terraform.ApplyOptions]{r, o}, err
			},
			durations: map[string]func(any) time.Duration{
				"timeout":      tfTimeout,
				"lock-timeout": func(p any) time.Duration { return p.(tfParsed[terraform.ApplyOptions]).opts.LockTimeout },
			},
		},
		{
			action: "terraform-drift",
			parse: func(in *step.Inputs) (any, error) {
				r, o, err := terraform.ParseDrift(in)
				return tfParsed[terraform.DriftOptions]{r, o}, err
			},
			bools:     map[string]func(any) bool{"fail-on-drift": func(p any) bool { return p.(tfParsed[terraform.DriftOptions]).opts.FailOnDrift }},
			durations: map[string]func(any) time.Duration{"timeout": tfTimeout},
			lists:     map[string]func(any) []string{"targets": func(p any) []string { return p.(tfParsed[terraform.DriftOptions]).opts.Targets }},
		},
		{
			action: "gitops-promote",
			parse: func(in *step.Inputs) (any, error) {
				cfg, timeout, err := gitops.ParsePromote(in, func(string) (string, bool) { return "", false }, nil)
				return promotion{cfg, timeout}, err
			},
			ints: map[string]func(any) int{"retries": func(p any) int {
				if r := promote(p).cfg.Retries; r >= 0 {
					return r
				}
				return 0 // Config spells "no retries" as -1
			}},
			durations: map[string]func(any) time.Duration{"timeout": func(p any) time.Duration { return promote(p).timeout }},
		},
		{
			action: "argocd-sync",
			base:   argocdBase,
			parse: func(in *step.Inputs) (any, error) {
				conn, cfg, err := argocd.ParseSync(in)
				return argocdParsed[argocd.SyncConfig]{conn, cfg}, err
			},
			bools: map[string]func(any) bool{
				"prune":   func(p any) bool { return sync(p).Prune },
				"dry-run": func(p any) bool { return sync(p).DryRun },
				"health":  func(p any) bool { return sync(p).Health },
			},
			ints: map[string]func(any) int{"retries": func(p any) int { return sync(p).Retries }},
			durations: map[string]func(any) time.Duration{
				"timeout":       func(p any) time.Duration { return sync(p).Timeout },
				"retry-backoff": func(p any) time.Duration { return sync(p).RetryBackoff },
				"interval":      func(p any) time.Duration { return sync(p).Interval },
			},
			lists: map[string]func(any) []string{"sync-options": func(p any) []string { return sync(p).SyncOptions }},
		},
		{
			action: "argocd-wait",
			base:   argocdBase,
			parse: func(in *step.Inputs) (any, error) {
				conn, cfg, err := argocd.ParseWait(in)
				return argocdParsed[argocd.WaitConfig]{conn, cfg}, err
			},
			bools: map[string]func(any) bool{
				"health":           func(p any) bool { return wait(p).Health },
				"sync":             func(p any) bool { return wait(p).Sync },
				"fail-on-degraded": func(p any) bool { return wait(p).FailOnDegraded },
			},
			durations: map[string]func(any) time.Duration{
				"timeout":  func(p any) time.Duration { return wait(p).Timeout },
				"interval": func(p any) time.Duration { return wait(p).Interval },
			},
		},
	}
}

// inputCase is one value of an input and what every action must make of
// it: want, or an error saying what to write instead.
type inputCase struct {
	value   string
	want    any
	wantErr string
}

var (
	boolCases = []inputCase{
		{value: "true", want: true}, {value: "TRUE", want: true}, {value: "Yes", want: true}, {value: "1", want: true},
		{value: "false", want: false}, {value: "no", want: false}, {value: " 0 ", want: false},
		{value: "maybe", wantErr: "write true or false"}, {value: "on", wantErr: "write true or false"},
	}
	intCases = []inputCase{
		{value: "3", want: 3}, {value: "0", want: 0}, {value: " 7 ", want: 7},
		{value: "-1", wantErr: "write a whole number"}, {value: "many", wantErr: "write a whole number"}, {value: "2.5", wantErr: "write a whole number"},
	}
	durationCases = []inputCase{
		{value: "90s", want: 90 * time.Second}, {value: "90", want: 90 * time.Second}, {value: "1h30m", want: 90 * time.Minute},
		{value: " 2m ", want: 2 * time.Minute},
		{value: "0s", wantErr: "write a positive duration"}, {value: "0", wantErr: "write a positive duration"},
		{value: "-5s", wantErr: "write a positive duration"}, {value: "soon", wantErr: "write a duration such as 90s"},
	}
	listCases = []inputCase{
		{value: "a\nb", want: []string{"a", "b"}}, {value: "a, b", want: []string{"a", "b"}},
		{value: " a ,\n\n b ,\n", want: []string{"a", "b"}}, {value: "a\r\nb", want: []string{"a", "b"}},
		{value: "", want: []string(nil)}, {value: " , \n", want: []string(nil)},
	}
)

// sources are the three ways an input reaches an action.
var sources = []struct {
	name string
	set  func(flags, env map[string]string, input, value string)
}{
	{"flag", func(flags, _ map[string]string, input, value string) { flags[input] = value }},
	{"INPUT_ with underscores", func(_, env map[string]string, input, value string) {
		env["INPUT_"+strings.ToUpper(strings.ReplaceAll(input, "-", "_"))] = value
	}},
	{"INPUT_ with hyphens", func(_, env map[string]string, input, value string) { env["INPUT_"+strings.ToUpper(input)] = value }},
}

// TestInputsAgree runs the same values through every shipped action's
// parser, for every input of each kind and each way of passing it, and
// requires the same reading or the same refusal from all of them.
func TestInputsAgree(t *testing.T) {
	t.Parallel()
	for _, p := range parsers() {
		kinds := []struct {
			kind  string
			cases []inputCase
			read  map[string]func(any) any
		}{
			{"bool", boolCases, readers(p.bools)},
			{"int", intCases, readers(p.ints)},
			{"duration", durationCases, readers(p.durations)},
			{"list", listCases, readers(p.lists)},
		}
		for _, k := range kinds {
			for input, read := range k.read {
				for _, c := range k.cases {
					for _, src := range sources {
						name := fmt.Sprintf("%s/%s %s=%q via %s", p.action, k.kind, input, c.value, src.name)
						t.Run(name, func(t *testing.T) {
							t.Parallel()
							flags, env := map[string]string{}, map[string]string{}
							for in, v := range p.base {
								env["INPUT_"+strings.ToUpper(strings.ReplaceAll(in, "-", "_"))] = v
							}
							src.set(flags, env, input, c.value)
							got, err := p.parse(step.NewInputs(lookup(flags), lookup(env)))
							if c.wantErr != "" {
								want := fmt.Sprintf("input %s is %q; %s", input, strings.TrimSpace(c.value), c.wantErr)
								if err == nil || !strings.Contains(err.Error(), want) {
									t.Fatalf("parse error = %v, want one containing %q", err, want)
								}
								return
							}
							if err != nil {
								t.Fatalf("parse error = %v, want none", err)
							}
							if diff := cmp.Diff(read(got), c.want); diff != "" {
								t.Errorf("input %s read (-got +want):\n%s", input, diff)
							}
						})
					}
				}
			}
		}
	}
}

// TestEveryActionHasEachKind keeps TestInputsAgree meaningful: every kind
// of input is checked through at least two actions, and every action
// through a duration.
func TestEveryActionHasEachKind(t *testing.T) {
	t.Parallel()
	count := map[string][]string{}
	for _, p := range parsers() {
		if len(p.durations) == 0 {
			t.Errorf("%s: no duration input probed", p.action)
		}
		for kind, n := range map[string]int{"bool": len(p.bools), "int": len(p.ints), "duration": len(p.durations), "list": len(p.lists)} {
			if n > 0 {
				count[kind] = append(count[kind], p.action)
			}
		}
	}
	for _, kind := range []string{"bool", "int", "duration", "list"} {
		if len(count[kind]) < 2 {
			t.Errorf("%s inputs are probed through %v, want at least two actions", kind, count[kind])
		}
	}
}

func readers[T any](m map[string]func(any) T) map[string]func(any) any {
	out := map[string]func(any) any{}
	for k, f := range m {
		out[k] = func(p any) any { return f(p) }
	}
	return out
}

func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}
