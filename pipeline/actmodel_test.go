package pipeline

// This file checks ParseWorkflow and ParseAction against nektos/act's
// pkg/model, which stays the reference for what workflow and action keys
// mean. act decodes with yaml.v3 into its model types; we decode the same
// bytes with those types but without act's schema check (which rejects
// Forgejo syntax) and compare both results field by field, through act's
// own accessors where they exist and cannot call log.Fatal on valid input.
//
// Every difference that is expected is written out below with the reason;
// nothing is skipped silently. The known ones:
//
//   - runs-on: {group, labels}: act appends the group to the labels; anvil
//     keeps the labels only (Forgejo runners have no groups).
//   - job continue-on-error: act v0.2.89's model.Job has no field for it;
//     it is decoded the way act decodes the step's (yaml.v3 into a string).
//   - job with: act keeps YAML-typed values (3, false, 1.5); anvil keeps the
//     YAML text ("3", "false", "1.50"), typed later by the called
//     workflow's input declarations. Both are compared as canonical text.
//   - action pre-if and post-if: act's ReadAction fills in "always()" when
//     they are unset; anvil leaves them empty and the executor applies the
//     same default.
//   - matrix numbers: act matches exclude and include entries with
//     reflect.DeepEqual, so 2 and 2.0 (int and float64) differ and an
//     include meant for version 2.0 becomes a combination of its own;
//     GitHub and anvil compare numbers by value. Integer scalars in the
//     matrix are retagged as floats before act expands it.
//   - dispatch and call inputs: act reads them through two accessors;
//     anvil merges them into Workflow.Inputs, the first declaration of a
//     name winning. Defaults are compared as canonical text, since act keeps
//     dispatch defaults as text and anvil as typed values.
//   - not compared, because act has no field for them: action inputs'
//     deprecationMessage, workflow_call secrets, and the options of
//     workflow_call inputs; nor is a matrix holding expressions, which
//     neither side can expand before run time.
//
// act's accessors call log.Fatal when a node does not decode, for example
// a quoted "true" for a boolean that anvil accepts; fixtures avoid those.
//
// Forgejo-only syntax (uses: https://..., enable-email-notifications,
// service cmd, forgejo.* contexts) needs no exception here: without the
// schema check act's decoder ignores unknown keys and keeps uses as text.

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/nektos/act/pkg/model"
	"gopkg.in/yaml.v3"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// invalidFixtures are the folders of files that exist to be rejected or
// warned about. The test checks that ParseWorkflow or ParseAction does
// report a problem in each file in them, so this list cannot hide a valid
// file from the comparison.
var invalidFixtures = []string{
	"testdata/invalid",
	"testdata/actions/bad-composite",
	"testdata/actions/bad-docker",
	"testdata/actions/bad-node",
	"testdata/actions/bad-using",
	"testdata/actions/no-runs",
}

// actCmpOpts treats a nil and an empty map or list alike: act's
// Environment() returns an empty map where anvil has nil.
var actCmpOpts = []cmp.Option{cmpopts.EquateEmpty()}

func TestWorkflowMatchesActModel(t *testing.T) {
	t.Parallel()
	workflows, _ := conformanceFiles(t)
	for _, file := range workflows {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			data := readFile(t, file)
			if isInvalidFixture(file) {
				if w, err := ParseWorkflow(file, data); err == nil && len(w.Problems) == 0 {
					t.Fatalf("ParseWorkflow(%s) = no problem, want one: the file is in an invalid-fixture folder", file)
				}
				return
			}
			ours, err := ParseWorkflow(file, data)
			if err != nil {
				t.Fatalf("ParseWorkflow(%s) error:\n%v", file, err)
			}
			act, extra := decodeActWorkflow(t, data)
			if diff := cmp.Diff(oursWorkflowView(ours), actWorkflowView(t, act, extra), actCmpOpts...); diff != "" {
				t.Errorf("ParseWorkflow(%s) differs from act's model (-ours +act):\n%s", file, diff)
			}
		})
	}
}

func TestActionMatchesActModel(t *testing.T) {
	t.Parallel()
	_, actions := conformanceFiles(t)
	for _, file := range actions {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			data := readFile(t, file)
			if isInvalidFixture(file) {
				if _, err := ParseAction(file, data); err == nil {
					t.Fatalf("ParseAction(%s) = no error, want one: the file is in an invalid-fixture folder", file)
				}
				return
			}
			ours, err := ParseAction(file, data)
			if err != nil {
				t.Fatalf("ParseAction(%s) error:\n%v", file, err)
			}
			act, err := model.ReadAction(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("model.ReadAction(%s) error: %v", file, err)
			}
			if diff := cmp.Diff(oursActionView(ours), actActionView(act), actCmpOpts...); diff != "" {
				t.Errorf("ParseAction(%s) differs from act's model (-ours +act):\n%s", file, diff)
			}
		})
	}
}

// conformanceFiles lists the workflow and action files of this package's
// testdata and of the repository's scenario repos. Workflows are the YAML
// files of pipeline/testdata other than actions, and those under a
// .forgejo, .gitea or .github workflows folder in ../testdata; actions are
// the action.yml and action.yaml files of both trees.
func conformanceFiles(t *testing.T) (workflows, actions []string) {
	t.Helper()
	walk := func(root string, workflowsOnly bool) {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			ext := filepath.Ext(path)
			if ext != ".yml" && ext != ".yaml" {
				return nil
			}
			switch base, dir := filepath.Base(path), filepath.Dir(path); {
			case base == "action.yml" || base == "action.yaml":
				actions = append(actions, path)
			case !workflowsOnly || filepath.Base(dir) == "workflows" && slices.Contains([]string{".forgejo", ".gitea", ".github"}, filepath.Base(filepath.Dir(dir))):
				workflows = append(workflows, path)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("listing %s: %v", root, err)
		}
	}
	walk("testdata", false)
	walk(filepath.Join("..", "testdata"), true)
	if len(workflows) == 0 || len(actions) == 0 {
		t.Fatalf("found %d workflows and %d actions in testdata; the test must run from the pipeline folder", len(workflows), len(actions))
	}
	return workflows, actions
}

// isInvalidFixture reports whether file is in one of invalidFixtures.
func isInvalidFixture(file string) bool {
	return slices.ContainsFunc(invalidFixtures, func(dir string) bool {
		return strings.HasPrefix(filepath.ToSlash(file), dir+"/")
	})
}

// workflowView is what both decoders are compared on.
type workflowView struct {
	Name     string
	Env      map[string]string
	Defaults plan.RunDefaults
	On       []string // sorted event names
	Inputs   map[string]inputView
	Outputs  map[string]string
	Jobs     map[string]jobView
}

// inputView is a workflow_dispatch or workflow_call input; Default is
// canonical text (see canonicalText).
type inputView struct {
	Description string
	Required    bool
	Default     string
	Type        string
	Options     []string
}

type jobView struct {
	Name            string
	Needs           []string
	RunsOn          []string
	Env             map[string]string
	Defaults        plan.RunDefaults
	If              string
	TimeoutMinutes  string
	ContinueOnError string
	Outputs         map[string]string
	FailFast        string
	MaxParallel     string
	// Matrix is the expanded matrix as sorted JSON combinations, or
	// "expression" when the matrix holds ${{ }} and cannot be expanded yet.
	Matrix         []string
	Container      *containerView
	Services       map[string]containerView
	Uses           string
	With           map[string]string
	Secrets        map[string]string
	InheritSecrets bool
	Steps          []stepView
}

type containerView struct {
	Image       string
	Env         map[string]string
	Ports       []string
	Volumes     []string
	Options     string
	Credentials map[string]string
}

type stepView struct {
	ID, Name, If, Run, Uses string
	With, Env               map[string]string
	Shell, WorkingDirectory string
	ContinueOnError         string
	TimeoutMinutes          string
}

// actionView is what both action decoders are compared on.
type actionView struct {
	Name, Description string
	Inputs            map[string]actionInputView
	Outputs           map[string]plan.ActionOutput
	Using             string
	Main, Pre, PreIf  string
	Post, PostIf      string
	Image             string
	Env               map[string]string
	Args              []string
	Entrypoint        string
	PreEntrypoint     string
	PostEntrypoint    string
	Steps             []stepView
}

type actionInputView struct {
	Description string
	Required    bool
	Default     string
}

// actJobExtra holds the job keys act's model.Job has no field for,
// decoded the way act decodes its string fields (yaml.v3 into a string).
type actJobExtra struct {
	ContinueOnError string `yaml:"continue-on-error"`
}

// actNoSchemaWorkflow is act's model.Workflow without its UnmarshalYAML
// method, and so without the schema check that method runs.
type actNoSchemaWorkflow model.Workflow

// decodeActWorkflow does what act's Workflow.UnmarshalYAML does but the
// schema check: resolve aliases, then decode into act's types.
func decodeActWorkflow(t *testing.T, data []byte) (*model.Workflow, map[string]actJobExtra) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("yaml.Unmarshal: %v", err)
	}
	if err := resolveAliases(&doc, 0); err != nil {
		t.Fatal(err)
	}
	w := new(model.Workflow)
	if err := doc.Decode((*actNoSchemaWorkflow)(w)); err != nil {
		t.Fatalf("decoding into act's model.Workflow: %v", err)
	}
	var extra struct {
		Jobs map[string]actJobExtra `yaml:"jobs"`
	}
	if err := doc.Decode(&extra); err != nil {
		t.Fatalf("decoding job keys act has no field for: %v", err)
	}
	return w, extra.Jobs
}

// resolveAliases replaces alias nodes by what they point to, in place, as
// act's (unexported) resolveAliases does before decoding: without it act's
// yaml.Node fields such as Job.Env would hold the alias node itself.
func resolveAliases(n *yaml.Node, depth int) error {
	if depth > 100 {
		return errors.New("resolving YAML aliases: nested too deeply (a cycle?)")
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		*n = *n.Alias
	}
	for _, c := range n.Content {
		if err := resolveAliases(c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// oursWorkflowView reads the comparable fields of our workflow.
func oursWorkflowView(w *plan.Workflow) workflowView {
	v := workflowView{
		Name:     w.Name,
		Env:      w.Env,
		Defaults: w.Defaults,
		On:       slices.Sorted(maps.Keys(w.On)),
		Outputs:  w.Outputs,
		Jobs:     map[string]jobView{},
	}
	if w.Inputs != nil {
		v.Inputs = map[string]inputView{}
		for name, in := range w.Inputs {
			v.Inputs[name] = inputView{
				Description: in.Description,
				Required:    in.Required,
				Default:     canonicalText(canonicalValue(in.Default)),
				Type:        in.Type,
				Options:     in.Options,
			}
		}
	}
	for _, j := range w.Jobs {
		jv := jobView{
			Name:            j.Name,
			Needs:           j.Needs,
			RunsOn:          j.RunsOn,
			Env:             j.Env,
			Defaults:        j.Defaults,
			If:              j.If,
			TimeoutMinutes:  j.TimeoutMinutes,
			ContinueOnError: j.ContinueOnError,
			Outputs:         j.Outputs,
			Matrix:          oursMatrix(j.Strategy),
			Uses:            j.Uses,
			Secrets:         j.Secrets,
			InheritSecrets:  j.InheritSecrets,
		}
		if j.Strategy != nil {
			jv.FailFast, jv.MaxParallel = j.Strategy.FailFast, j.Strategy.MaxParallel
		}
		if j.Container != nil {
			c := oursContainer(j.Container)
			jv.Container = &c
		}
		if j.Services != nil {
			jv.Services = map[string]containerView{}
			for name, s := range j.Services {
				jv.Services[name] = oursContainer(s)
			}
		}
		if j.With != nil {
			jv.With = map[string]string{}
			for k, val := range j.With {
				s, _ := val.(string)
				jv.With[k] = canonicalText(s)
			}
		}
		for _, s := range j.Steps {
			jv.Steps = append(jv.Steps, oursStep(s))
		}
		v.Jobs[j.ID] = jv
	}
	return v
}

// oursMatrix expands a job's matrix with ExpandMatrix.
func oursMatrix(s *plan.Strategy) []string {
	var m map[string]any
	if s != nil {
		switch x := s.Matrix.(type) {
		case string:
			return []string{"expression"}
		case map[string]any:
			if hasExpression(x) {
				return []string{"expression"}
			}
			m = x
		}
	}
	combos, err := plan.ExpandMatrix(m)
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	return combosJSON(combos)
}

// hasExpression reports whether plain data holds a ${{ }} string.
func hasExpression(v any) bool {
	switch x := v.(type) {
	case string:
		return isExpr(x)
	case []any:
		return slices.ContainsFunc(x, hasExpression)
	case map[string]any:
		for _, e := range x {
			if hasExpression(e) {
				return true
			}
		}
	}
	return false
}

func oursContainer(c *plan.Container) containerView {
	return containerView{Image: c.Image, Env: c.Env, Ports: c.Ports, Volumes: c.Volumes, Options: c.Options, Credentials: c.Credentials}
}

func oursStep(s *plan.Step) stepView {
	return stepView{
		ID: s.ID, Name: s.Name, If: s.If, Run: s.Run, Uses: s.Uses,
		With: s.With, Env: s.Env,
		Shell: s.Shell, WorkingDirectory: s.WorkingDirectory,
		ContinueOnError: s.ContinueOnError, TimeoutMinutes: s.TimeoutMinutes,
	}
}

// actWorkflowView reads the same fields from act's model through its
// accessors.
func actWorkflowView(t *testing.T, w *model.Workflow, extra map[string]actJobExtra) workflowView {
	t.Helper()
	v := workflowView{
		Name:     w.Name,
		Env:      w.Env,
		Defaults: plan.RunDefaults(w.Defaults.Run),
		On:       slices.Sorted(slices.Values(w.On())),
		Inputs:   actInputs(w),
		Jobs:     map[string]jobView{},
	}
	if call := w.WorkflowCallConfig(); call.Outputs != nil {
		v.Outputs = map[string]string{}
		for name, out := range call.Outputs {
			v.Outputs[name] = out.Value
		}
	}
	for id, j := range w.Jobs {
		jv := jobView{
			Name:            j.Name,
			Needs:           j.Needs(),
			RunsOn:          actRunsOn(j),
			Env:             j.Environment(),
			Defaults:        plan.RunDefaults(j.Defaults.Run),
			If:              j.If.Value,
			TimeoutMinutes:  j.TimeoutMinutes,
			ContinueOnError: extra[id].ContinueOnError,
			Outputs:         j.Outputs,
			Matrix:          actMatrix(t, j),
			Uses:            j.Uses,
			Secrets:         j.Secrets(),
			InheritSecrets:  j.InheritSecrets(),
		}
		if j.Strategy != nil {
			jv.FailFast, jv.MaxParallel = j.Strategy.FailFastString, j.Strategy.MaxParallelString
		}
		if c := j.Container(); c != nil {
			cv := actContainer(c)
			jv.Container = &cv
		}
		if j.Services != nil {
			jv.Services = map[string]containerView{}
			for name, s := range j.Services {
				jv.Services[name] = actContainer(s)
			}
		}
		if j.With != nil {
			jv.With = map[string]string{}
			for k, val := range j.With {
				jv.With[k] = canonicalValue(val)
			}
		}
		for _, s := range j.Steps {
			jv.Steps = append(jv.Steps, actStep(s))
		}
		v.Jobs[id] = jv
	}
	return v
}

// actInputs merges act's workflow_dispatch and workflow_call inputs, the
// event written first winning, as anvil does.
func actInputs(w *model.Workflow) map[string]inputView {
	out := map[string]inputView{}
	add := func(name string, in inputView) {
		if _, ok := out[name]; !ok {
			out[name] = in
		}
	}
	events := w.On() // in map order for a mapping: use the YAML order
	if w.RawOn.Kind == yaml.MappingNode {
		events = events[:0]
		for i := 0; i < len(w.RawOn.Content); i += 2 {
			events = append(events, w.RawOn.Content[i].Value)
		}
	}
	for _, event := range events {
		switch event {
		case "workflow_dispatch":
			if d := w.WorkflowDispatchConfig(); d != nil {
				for name, in := range d.Inputs {
					add(name, inputView{Description: in.Description, Required: in.Required, Default: canonicalText(in.Default), Type: in.Type, Options: in.Options})
				}
			}
		case "workflow_call":
			for name, in := range w.WorkflowCallConfig().Inputs {
				add(name, inputView{Description: in.Description, Required: in.Required, Default: canonicalText(in.Default.Value), Type: in.Type})
			}
		}
	}
	return out
}

// actRunsOn is act's RunsOn() without the runner group that act appends
// to the labels of runs-on: {group, labels}: anvil ignores groups.
func actRunsOn(j *model.Job) []string {
	labels := j.RunsOn()
	if j.RawRunsOn.Kind == yaml.MappingNode && len(labels) > 0 {
		for i := 0; i+1 < len(j.RawRunsOn.Content); i += 2 {
			if j.RawRunsOn.Content[i].Value == "group" && j.RawRunsOn.Content[i+1].Value != "" {
				return labels[:len(labels)-1]
			}
		}
	}
	return labels
}

// actMatrix expands a job's matrix with act's GetMatrixes, unless it holds
// expressions, which act can only expand once they are evaluated.
func actMatrix(t *testing.T, j *model.Job) []string {
	t.Helper()
	if j.Strategy != nil && (j.Strategy.RawMatrix.Kind == yaml.ScalarNode && j.Strategy.RawMatrix.Tag != "!!null" || nodeHasExpression(&j.Strategy.RawMatrix)) {
		return []string{"expression"}
	}
	if j.Strategy != nil {
		intsAsFloats(&j.Strategy.RawMatrix)
	}
	combos, err := j.GetMatrixes()
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	return combosJSON(combos)
}

// intsAsFloats retags the integer scalars under n as floats, so that act's
// reflect.DeepEqual matching sees 2 and 2.0 as the same number.
func intsAsFloats(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		n.Tag = "!!float"
	}
	for _, c := range n.Content {
		intsAsFloats(c)
	}
}

// nodeHasExpression reports whether a scalar under n holds ${{ }}.
func nodeHasExpression(n *yaml.Node) bool {
	if n.Kind == yaml.ScalarNode {
		return isExpr(n.Value)
	}
	return slices.ContainsFunc(n.Content, nodeHasExpression)
}

func actContainer(c *model.ContainerSpec) containerView {
	return containerView{Image: c.Image, Env: c.Env, Ports: c.Ports, Volumes: c.Volumes, Options: c.Options, Credentials: c.Credentials}
}

func actStep(s *model.Step) stepView {
	return stepView{
		ID: s.ID, Name: s.Name, If: s.If.Value, Run: s.Run, Uses: s.Uses,
		With: s.With, Env: s.Environment(),
		Shell: s.Shell, WorkingDirectory: s.WorkingDirectory,
		ContinueOnError: s.RawContinueOnError, TimeoutMinutes: s.TimeoutMinutes,
	}
}

// combosJSON writes matrix combinations as sorted JSON, so that they
// compare as sets and numbers compare by value (act keeps YAML integers as
// int, anvil makes every number a float64).
func combosJSON(combos []map[string]any) []string {
	out := make([]string, len(combos))
	for i, c := range combos {
		b, err := json.Marshal(c)
		if err != nil {
			out[i] = "unencodable: " + err.Error()
			continue
		}
		out[i] = string(b)
	}
	slices.Sort(out)
	return out
}

// canonicalText is the YAML text of a job's with: value the way act would
// hold it, written back as canonicalValue does: a plain scalar that YAML
// reads as a boolean or number is written in its shortest form.
func canonicalText(s string) string {
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		return s
	}
	switch v.(type) {
	case bool, int, float64:
		return canonicalValue(v)
	}
	return s
}

// canonicalValue writes a YAML-typed scalar as text.
func canonicalValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// oursActionView reads the comparable fields of our action.
func oursActionView(a *plan.Action) actionView {
	v := actionView{
		Name:           a.Name,
		Description:    a.Description,
		Outputs:        a.Outputs,
		Using:          a.Runs.Using,
		Main:           a.Runs.Main,
		Pre:            a.Runs.Pre,
		PreIf:          a.Runs.PreIf,
		Post:           a.Runs.Post,
		PostIf:         a.Runs.PostIf,
		Image:          a.Runs.Image,
		Env:            a.Runs.Env,
		Args:           a.Runs.Args,
		Entrypoint:     a.Runs.Entrypoint,
		PreEntrypoint:  a.Runs.PreEntrypoint,
		PostEntrypoint: a.Runs.PostEntrypoint,
	}
	// act's ReadAction fills in this default; the executor applies it to
	// our empty value (see executor/action_local.go).
	if v.PreIf == "" {
		v.PreIf = "always()"
	}
	if v.PostIf == "" {
		v.PostIf = "always()"
	}
	if a.Inputs != nil {
		v.Inputs = map[string]actionInputView{}
		for name, in := range a.Inputs {
			v.Inputs[name] = actionInputView{Description: in.Description, Required: in.Required, Default: in.Default}
		}
	}
	for _, s := range a.Runs.Steps {
		v.Steps = append(v.Steps, oursStep(s))
	}
	return v
}

// actActionView reads the same fields from act's model.
func actActionView(a *model.Action) actionView {
	v := actionView{
		Name:           a.Name,
		Description:    a.Description,
		Using:          string(a.Runs.Using),
		Main:           a.Runs.Main,
		Pre:            a.Runs.Pre,
		PreIf:          a.Runs.PreIf,
		Post:           a.Runs.Post,
		PostIf:         a.Runs.PostIf,
		Image:          a.Runs.Image,
		Env:            a.Runs.Env,
		Args:           a.Runs.Args,
		Entrypoint:     a.Runs.Entrypoint,
		PreEntrypoint:  a.Runs.PreEntrypoint,
		PostEntrypoint: a.Runs.PostEntrypoint,
	}
	if a.Inputs != nil {
		v.Inputs = map[string]actionInputView{}
		for name, in := range a.Inputs {
			v.Inputs[name] = actionInputView(in)
		}
	}
	if a.Outputs != nil {
		v.Outputs = map[string]plan.ActionOutput{}
		for name, out := range a.Outputs {
			v.Outputs[name] = plan.ActionOutput(out)
		}
	}
	for i := range a.Runs.Steps {
		v.Steps = append(v.Steps, actStep(&a.Runs.Steps[i]))
	}
	return v
}
