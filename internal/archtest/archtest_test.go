package archtest

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestArchitecture checks the module's real import graph against Rules.
func TestArchitecture(t *testing.T) {
	g, err := Load(context.Background(), "../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{Module + "/executor", Module + "/pipeline", Module + "/cmd"} {
		if len(g[want]) == 0 {
			t.Fatalf("the graph has no files of %s: go list read the wrong module", want)
		}
	}
	for _, v := range Check(g, Rules) {
		t.Error(v)
	}
}

const (
	executor = Module + "/executor"
	pipeline = Module + "/pipeline"
	plan     = Module + "/pipeline/plan"
	runner   = Module + "/runner"
	forge    = Module + "/forge"
	cache    = Module + "/cache"
	cmd      = Module + "/cmd"
)

// TestCheckReportsViolations feeds the checker fake graphs that break each
// kind of rule and expects the messages that name the rule and the file.
func TestCheckReportsViolations(t *testing.T) {
	for _, tc := range []struct {
		name  string
		graph Graph
		want  []string
	}{{
		name: "clean",
		graph: Graph{
			executor: {{Name: "executor/engine.go", Imports: []string{"context", plan}, Uses: []string{plan + ".Plan"}}},
			pipeline: {{Name: "pipeline/parse.go", Imports: []string{"github.com/nektos/act/pkg/model", plan}}},
			plan:     {{Name: "pipeline/plan/plan.go", Imports: []string{"fmt"}}},
			runner:   {{Name: "runner/task.go", Imports: []string{executor, forge, pipeline}}},
			cmd:      {{Name: "cmd/root.go", Imports: []string{runner, cache}}},
		},
	}, {
		name: "direct import",
		graph: Graph{
			executor: {{Name: "executor/foo.go", Imports: []string{runner}}},
			runner:   {{Name: "runner/task.go"}},
		},
		want: []string{
			`rule "executor imports of ours only pipeline/plan, pipeline/expr and pipeline/runopt: plan types, never pipeline (its parser, lint, act model)": executor/foo.go imports ` + runner,
			`rule "executor never imports runner or forge": executor/foo.go imports ` + runner,
		},
	}, {
		name: "indirect import through a subpackage",
		graph: Graph{
			pipeline:             {{Name: "pipeline/plan.go", Imports: []string{pipeline + "/lint", Module + "/gitctx"}}},
			pipeline + "/lint":   {{Name: "pipeline/lint/lint.go", Imports: []string{executor + "/host"}}},
			Module + "/gitctx":   {{Name: "gitctx/gitctx.go", Imports: []string{forge + "/forgetest"}}},
			executor + "/host":   {{Name: "executor/host/host.go"}},
			forge + "/forgetest": {{Name: "forge/forgetest/server.go"}},
		},
		want: []string{
			`rule "gitctx imports only pipeline/plan of ours": gitctx/gitctx.go imports ` + forge + "/forgetest",
			`rule "pipeline never imports executor, runner or forge": pipeline/lint/lint.go imports ` + executor + "/host",
			`rule "pipeline never imports executor, runner or forge": pipeline/plan.go imports ` + Module + "/gitctx, which imports " + forge + "/forgetest",
		},
	}, {
		name: "test file",
		graph: Graph{
			Module + "/actions/step": {{Name: "actions/step/step_test.go", Test: true, Imports: []string{runner}}},
			runner:                   {{Name: "runner/task.go"}},
		},
		want: []string{`rule "actions never import runner": actions/step/step_test.go imports ` + runner},
	}, {
		name: "parser call",
		graph: Graph{
			executor: {
				{Name: "executor/reusable.go", Imports: []string{pipeline}, Uses: []string{pipeline + ".ParseWorkflow", pipeline + ".Plan"}},
				{Name: "executor/reusable_test.go", Test: true, Imports: []string{pipeline}, Uses: []string{pipeline + ".ParseWorkflow"}},
			},
		},
		want: []string{
			`rule "executor imports of ours only pipeline/plan, pipeline/expr and pipeline/runopt: plan types, never pipeline (its parser, lint, act model)": executor/reusable.go imports ` + pipeline,
			`rule "executor imports of ours only pipeline/plan, pipeline/expr and pipeline/runopt: plan types, never pipeline (its parser, lint, act model)": executor/reusable_test.go imports ` + pipeline,
			`rule "executor never calls pipeline.Parse*: it sees plan types only and reads files through Config.Loader": executor/reusable.go calls pipeline.ParseWorkflow`,
		},
	}, {
		name: "allow-list and cmd",
		graph: Graph{
			cache:               {{Name: "cache/server.go", Imports: []string{Module + "/cache/cachetest", pipeline}}},
			forge:               {{Name: "forge/client.go", Imports: []string{cmd}}},
			cmd:                 {{Name: "cmd/root.go"}},
			cmd + "/anvil":      {{Name: "cmd/anvil/main.go", Imports: []string{cmd}}},
			Module + "/e2e":     {{Name: "e2e/run_test.go", Test: true, Imports: []string{cmd + "/internal/x"}}},
			cmd + "/internal/x": {{Name: "cmd/internal/x/x.go"}},
		},
		want: []string{
			`rule "cache imports nothing of ours": cache/server.go imports ` + pipeline,
			`rule "only cmd wires everything: nothing imports cmd": forge/client.go imports ` + cmd,
		},
	}, {
		name: "test support",
		graph: Graph{
			runner: {
				{Name: "runner/task.go", Imports: []string{Module + "/internal/testkit"}},
				{Name: "runner/task_test.go", Test: true, Imports: []string{Module + "/internal/testkit", executor + "/executortest"}},
			},
			forge + "/forgetest":            {{Name: "forge/forgetest/server.go", Imports: []string{Module + "/internal/testkit"}}},
			Module + "/internal/testkit":    {{Name: "internal/testkit/git.go"}},
			Module + "/internal/testkit/gx": {{Name: "internal/testkit/gx/gx.go", Imports: []string{Module + "/internal/testkit"}}},
			executor + "/executortest":      {{Name: "executor/executortest/backend.go", Imports: []string{executor}}},
			executor:                        {{Name: "executor/engine.go", Imports: []string{executor + "/executortest"}}},
		},
		want: []string{
			`rule "test support (internal/testkit, executor/executortest) is imported only by tests and test kits": executor/engine.go imports ` + executor + "/executortest outside a _test.go file",
			`rule "test support (internal/testkit, executor/executortest) is imported only by tests and test kits": runner/task.go imports ` + Module + "/internal/testkit outside a _test.go file",
		},
	}, {
		name: "import grouping",
		graph: Graph{
			Module + "/gitctx": {
				{Name: "gitctx/mixed.go", ImportGroups: [][]string{{"testing"}, {pipeline, "github.com/google/go-cmp/cmp"}}},
				{Name: "gitctx/order.go", ImportGroups: [][]string{{"os"}, {pipeline}, {"github.com/google/go-cmp/cmp"}}},
				{Name: "gitctx/good.go", ImportGroups: [][]string{{"os", "testing"}, {"github.com/google/go-cmp/cmp", "gopkg.in/yaml.v3"}, {pipeline}}},
			},
		},
		want: []string{
			`rule "imports are grouped: standard library, then third-party, then ours (goimports -local ` + Module + `)": gitctx/mixed.go imports github.com/google/go-cmp/cmp (third-party) in one group with ` + pipeline + ` (ours)`,
			`rule "imports are grouped: standard library, then third-party, then ours (goimports -local ` + Module + `)": gitctx/order.go imports the third-party group (github.com/google/go-cmp/cmp) after the ours group`,
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, v := range Check(tc.graph, Rules) {
				got = append(got, v.String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestParseFileUses checks that an aliased import is still seen.
func TestParseFileUses(t *testing.T) {
	f, err := parseFile("testdata/aliased.go")
	if err != nil {
		t.Fatal(err)
	}
	want := pipeline + ".ParseAction"
	if !slices.Contains(f.Uses, want) {
		t.Errorf("uses %v, want %s among them", f.Uses, want)
	}
	groups := [][]string{{"fmt", "os"}, {"github.com/google/go-cmp/cmp"}, {pipeline}}
	if !reflect.DeepEqual(f.ImportGroups, groups) {
		t.Errorf("import groups %q, want %q", f.ImportGroups, groups)
	}
}
