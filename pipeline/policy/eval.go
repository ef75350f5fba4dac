package policy

import (
	"fmt"
	"reflect"
	"strings"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
)

// jsonValueType is what values without a text of their own are
// converted to, to be shown as JSON.
var jsonValueType = reflect.TypeFor[*structpb.Value]()

// maxValues is how many offending values a decision keeps.
const maxValues = 10

// Outcome is what a rule decided about a job.
type Outcome string

// Outcomes.
const (
	OutcomeAllow Outcome = "allow"
	OutcomeDeny  Outcome = "deny"
	OutcomeWarn  Outcome = "warn"
)

// Decision is one rule's verdict on one job.
type Decision struct {
	Rule    string  `json:"rule"`
	Mode    Mode    `json:"mode"`
	Outcome Outcome `json:"outcome"`
	// Message is the rule's message, set unless the job complies.
	Message string `json:"message,omitempty"`
	// Values are the values that broke the rule (a list rule's result;
	// at most maxValues, the last one saying how many more there were).
	Values []string `json:"values,omitempty"`
	// Error is why the rule could not be evaluated on this job; a rule
	// that cannot be evaluated decides as its mode says (fail closed).
	Error string `json:"error,omitempty"`
}

// Line is the decision as the job's log shows it: the rule, its message
// and the values that broke it.
func (d Decision) Line() string {
	var b strings.Builder
	switch d.Outcome {
	case OutcomeAllow:
		fmt.Fprintf(&b, "policy rule %q allows this job", d.Rule)
		return b.String()
	case OutcomeDeny:
		fmt.Fprintf(&b, "policy rule %q denies this job: %s", d.Rule, d.Message)
	default:
		fmt.Fprintf(&b, "policy rule %q warns: %s", d.Rule, d.Message)
	}
	if len(d.Values) > 0 {
		quoted := make([]string, len(d.Values))
		for i, v := range d.Values {
			quoted[i] = fmt.Sprintf("%q", v)
		}
		word := "value"
		if len(d.Values) > 1 {
			word = "values"
		}
		fmt.Fprintf(&b, " (%s: %s)", word, strings.Join(quoted, ", "))
	}
	if d.Error != "" {
		fmt.Fprintf(&b, " (the rule could not be evaluated: %s)", d.Error)
	}
	return b.String()
}

// Evaluate runs every rule on in and returns one decision per rule, in
// rule order.
func (p *Policy) Evaluate(in *Input) []Decision {
	var out []Decision
	for _, f := range p.files {
		out = f.evaluate(in, out)
	}
	return out
}

// evaluate appends the decisions of f's rules on in to out.
func (f *compiledFile) evaluate(in *Input, out []Decision) []Decision {
	vars := map[string]any{"job": &in.Job, "task": &in.Task, "params": f.params}
	for _, r := range f.rules {
		out = append(out, r.decide(vars))
	}
	return out
}

// decide evaluates r with vars.
func (r *rule) decide(vars map[string]any) Decision {
	d := Decision{Rule: r.name, Mode: r.mode, Outcome: OutcomeAllow}
	broken := func() Decision {
		d.Message = r.message
		d.Outcome = OutcomeDeny
		if r.mode == ModeWarn {
			d.Outcome = OutcomeWarn
		}
		return d
	}
	v, _, err := r.prg.Eval(vars)
	if err != nil {
		d.Error = err.Error()
		return broken()
	}
	switch val := v.(type) {
	case types.Bool:
		if !bool(val) {
			return broken()
		}
	case traits.Lister:
		n, _ := val.Size().(types.Int)
		if n == 0 {
			return d
		}
		for i := types.Int(0); i < n; i++ {
			if i == maxValues {
				d.Values = append(d.Values, fmt.Sprintf("and %d more", n-maxValues))
				break
			}
			d.Values = append(d.Values, valueText(val.Get(i)))
		}
		return broken()
	default:
		d.Error = fmt.Sprintf("the expression gave a %s, not a bool or a list", v.Type().TypeName())
		return broken()
	}
	return d
}

// valueText shows one offending value: strings as they are, actions and
// steps by what they use or are called, containers by image, anything
// else as JSON.
func valueText(v ref.Val) string {
	switch x := v.Value().(type) {
	case string:
		return x
	case Uses:
		return x.Uses
	case *Uses:
		return x.Uses
	case Container:
		return x.Image
	case *Container:
		return x.Image
	case Step:
		return stepText(x)
	case *Step:
		return stepText(*x)
	}
	if s, ok := v.(types.String); ok {
		return string(s)
	}
	if native, err := v.ConvertToNative(jsonValueType); err == nil {
		if data, err := protojson.Marshal(native.(*structpb.Value)); err == nil {
			return string(data)
		}
	}
	return fmt.Sprint(v.Value())
}

func stepText(s Step) string {
	if s.Name != "" {
		return s.Name
	}
	if s.Uses != "" {
		return s.Uses
	}
	return fmt.Sprintf("step %d", s.Index)
}
