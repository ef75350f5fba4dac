package terraform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
)

// TerraformOutput is one root module output after an apply.
type TerraformOutput struct {
	Name      string
	Sensitive bool
	// Value is the JSON value; nil when a sensitive value could not be
	// read back.
	Value json.RawMessage
}

// reservedOutputs are terraform-apply's own outputs; Terraform outputs of
// these names are only in outputs-json.
var reservedOutputs = []string{"failure-reason", "outputs-json", "lock-id", "lock-info"}

// readOutputs returns the apply's outputs. The apply's JSON output holds
// every value but the sensitive ones, which are read back with
// "terraform output -json" with env (the plan's workspace); when that fails, or
// its values disagree with the apply's (another backend configured in
// dir), the sensitive values are left out with a warning.
func (a *Action) readOutputs(ctx context.Context, dir string, env []string, applied map[string]StreamOutput) ([]TerraformOutput, []string) {
	var outs []TerraformOutput
	needRead := false
	for name, o := range applied {
		outs = append(outs, TerraformOutput{Name: name, Sensitive: o.Sensitive, Value: o.Value})
		needRead = needRead || o.Sensitive
	}
	sort.Slice(outs, func(i, j int) bool { return outs[i].Name < outs[j].Name })
	if !needRead {
		return outs, nil
	}
	data, err := a.capture(ctx, dir, env, "output", "-json")
	var read map[string]StreamOutput
	if err == nil {
		err = json.Unmarshal(data, &read)
	}
	if err == nil {
		for name, o := range applied {
			if !o.Sensitive && !jsonEqual(o.Value, read[name].Value) {
				err = fmt.Errorf("output %s read back differs from the applied value; pass terraform-apply the plan's backend-config", name)
				break
			}
		}
	}
	if err != nil {
		return outs, []string{fmt.Sprintf("sensitive outputs are not exported: reading them back failed: %v", err)}
	}
	for i, o := range outs {
		if o.Sensitive {
			outs[i].Value = read[o.Name].Value
		}
	}
	return outs, nil
}

// exportOutputs masks the sensitive outputs and returns one step output
// per Terraform output: strings as they are, other values as JSON.
func (a *Action) exportOutputs(res *ApplyResult) []Output {
	var outs []Output
	for _, o := range res.Outputs {
		if o.Value == nil {
			continue
		}
		value := outputString(o.Value)
		if o.Sensitive {
			a.Runtime.Mask(value)
			for _, leaf := range stringLeaves(o.Value) {
				a.Runtime.Mask(leaf)
			}
		}
		if slices.Contains(reservedOutputs, o.Name) {
			res.Warnings = append(res.Warnings, fmt.Sprintf("Terraform output %q has the name of one of terraform-apply's own outputs; read it from outputs-json", o.Name))
			continue
		}
		outs = append(outs, Output{Name: o.Name, Value: value})
	}
	return outs
}

// outputsJSON is the outputs-json output: an object of every output's
// value (sensitive ones included, masked in logs).
func outputsJSON(outs []TerraformOutput) string {
	m := map[string]json.RawMessage{}
	for _, o := range outs {
		if o.Value != nil {
			m[o.Name] = o.Value
		}
	}
	data, _ := json.Marshal(m) // raw messages came from json.Unmarshal
	return string(data)
}

// outputString is a value as a step output: a string's text, any other
// value's compact JSON.
func outputString(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return string(v)
	}
	return b.String()
}

// stringLeaves returns every string inside a JSON value.
func stringLeaves(v json.RawMessage) []string {
	var x any
	if json.Unmarshal(v, &x) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(x any) {
		switch t := x.(type) {
		case string:
			out = append(out, t)
		case []any:
			for _, e := range t {
				walk(e)
			}
		case map[string]any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(x)
	return out
}

// jsonEqual reports whether two JSON texts hold the same value.
func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}
