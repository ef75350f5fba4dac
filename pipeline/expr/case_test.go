package expr

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPropertiesIgnoreCase reads context properties spelt in another case
// than their keys, as GitHub does: its contexts are case-insensitive
// dictionaries, so matrix.A reads matrix.a and needs.Build.outputs.X reads
// needs.build.outputs.x (act's exprparser, which does the property access,
// compares keys and field names with strings.EqualFold).
func TestPropertiesIgnoreCase(t *testing.T) {
	t.Parallel()
	c := testContexts(t)
	c.Matrix = map[string]any{"a": "x", "B": "y", "node-version": 20.0, "cfg": map[string]any{"os": "linux"}}
	c.Inputs = map[string]any{"who": "octocat", "dry_run": true}
	c.Needs = map[string]NeedResult{"build": {Outputs: map[string]string{"x": "1", "Mixed": "m"}, Result: "success"}}
	c.Steps = map[string]StepResult{"s": {Outputs: map[string]string{"v": "2"}, Outcome: "success", Conclusion: "success"}}
	c.Jobs = map[string]NeedResult{"deploy": {Outputs: map[string]string{"url": "https://u"}, Result: "success"}}
	tests := []struct {
		expr string
		want any
	}{
		{"matrix.A", "x"},
		{"matrix.b", "y"},
		{"matrix.NODE-VERSION", 20.0},
		{"matrix.Cfg.OS", "linux"},
		{"matrix['A']", "x"},
		{"github.EVENT_NAME", "push"},
		{"github.Event.Pusher.Login", "alice"},
		{"github['Ref_Name']", "main"},
		{"forgejo.Sha", "4f3c2b1a0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a"},
		{"needs.Build.outputs.X", "1"},
		{"needs.build.OUTPUTS.mixed", "m"},
		{"needs.BUILD.Result", "success"},
		{"steps.S.outputs.V", "2"},
		{"steps.s.Outcome", "success"},
		{"steps.S.CONCLUSION", "success"},
		{"jobs.Deploy.Outputs.URL", "https://u"},
		{"inputs.Who", "octocat"},
		{"inputs.DRY_RUN", true},
		{"env.greeting", "hello"},
		{"vars.deploy_target", "staging"},
		{"secrets.token", "s3cret"},
		{"job.Status", "success"},
		{"job.SERVICES.db.Id", "c0ffee"},
		{"runner.OS", "Linux"},
		{"strategy.Job-Index", 1.0},
		{"contains(needs.*.RESULT, 'success')", true},
		{"matrix.missing", nil},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			got, err := c.Evaluate(tt.expr)
			if err != nil {
				t.Fatalf("Evaluate(%q) error = %v", tt.expr, err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("Evaluate(%q) (-got +want):\n%s", tt.expr, diff)
			}
			s, err := c.Interpolate("${{ " + tt.expr + " }}")
			if err != nil || s != ToString(tt.want) {
				t.Errorf("Interpolate(${{ %s }}) = %q, %v, want %q", tt.expr, s, err, ToString(tt.want))
			}
		})
	}
	ok, err := c.Condition("matrix.A == 'x' && inputs.WHO == 'octocat' && needs.Build.Result == 'success'", LevelJob)
	if err != nil || !ok {
		t.Errorf("Condition over differently cased properties = %v, %v, want true", ok, err)
	}
}
