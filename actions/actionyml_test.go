package actions_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"codeberg.org/anvil-ci/anvil/actions/argocd"
	"codeberg.org/anvil-ci/anvil/actions/gitops"
	"codeberg.org/anvil-ci/anvil/actions/step"
	"codeberg.org/anvil-ci/anvil/actions/terraform"
)

// TestActionYMLMatchesInputs checks that each shipped action.yml declares
// the inputs its Go parser reads and hands each to "anvil action NAME" as
// INPUT_<NAME> (the underscore form step.Inputs reads first), and that
// each action has a README naming every input and output.
func TestActionYMLMatchesInputs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		action string
		inputs []step.Input
		// unused are inputs action.yml accepts but does not pass on.
		unused []string
	}{
		{"terraform-plan", terraform.PlanInputs(), nil},
		{"terraform-apply", terraform.ApplyInputs(), nil},
		{"terraform-drift", terraform.DriftInputs(), []string{"encryption-passphrase"}},
		{"gitops-promote", gitops.PromoteInputs(), nil},
		{"argocd-sync", argocd.SyncInputs(), nil},
		{"argocd-wait", argocd.WaitInputs(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join(tt.action, "action.yml"))
			if err != nil {
				t.Fatal(err)
			}
			var yml struct {
				Inputs  map[string]any `yaml:"inputs"`
				Outputs map[string]any `yaml:"outputs"`
				Runs    struct {
					Steps []ymlStep `yaml:"steps"`
				} `yaml:"runs"`
			}
			if err := yaml.Unmarshal(data, &yml); err != nil {
				t.Fatalf("%s/action.yml: %v", tt.action, err)
			}
			var declared, goInputs []string
			for name := range yml.Inputs {
				declared = append(declared, name)
			}
			wantEnv := map[string]string{}
			for _, in := range tt.inputs {
				goInputs = append(goInputs, in.Name)
				if !slices.Contains(tt.unused, in.Name) {
					wantEnv["INPUT_"+strings.ToUpper(strings.ReplaceAll(in.Name, "-", "_"))] = "${{ inputs." + in.Name + " }}"
				}
			}
			slices.Sort(declared)
			slices.Sort(goInputs)
			if diff := cmp.Diff(declared, goInputs); diff != "" {
				t.Errorf("%s/action.yml inputs differ from the Go parser's (-action.yml +Go):\n%s", tt.action, diff)
			}
			idx := slices.IndexFunc(yml.Runs.Steps, func(s ymlStep) bool {
				return strings.Contains(s.Run, "anvil action "+tt.action)
			})
			if idx < 0 {
				t.Fatalf("%s/action.yml has no step running anvil action %s", tt.action, tt.action)
			}
			if diff := cmp.Diff(yml.Runs.Steps[idx].Env, wantEnv); diff != "" {
				t.Errorf("%s/action.yml passes the inputs wrongly (-got +want):\n%s", tt.action, diff)
			}
			readme, err := os.ReadFile(filepath.Join(tt.action, "README.md"))
			if err != nil {
				t.Fatalf("%s has no README.md: %v", tt.action, err)
			}
			for _, name := range append(declared, keys(yml.Outputs)...) {
				if name != "*" && !strings.Contains(string(readme), "`"+name+"`") {
					t.Errorf("%s/README.md does not name `%s`", tt.action, name)
				}
			}
		})
	}
}

// ymlStep is a step of a composite action.yml.
type ymlStep struct {
	Run string            `yaml:"run"`
	Env map[string]string `yaml:"env"`
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
