package terraform_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/actions/terraform"
)

// applyJSON is Terraform 1.5.7's apply -json output, shortened, with a
// line split across writes.
var applyJSON = []string{
	`{"@level":"info","@message":"Terraform 1.5.7","@module":"terraform.ui","terraform":"1.5.7","type":"version","ui":"1.1"}` + "\n",
	`{"@level":"info","@message":"terraform_data.greeting: Creating...","type":"apply_start"}` + "\n" + `{"@level":"info","@message":"\nInterrupt received.\nGracefully shutting down...\n","type":"log"}`,
	"\n" + `{"@level":"error","@message":"Error: local-exec provisioner error","diagnostic":{"severity":"error","summary":"local-exec provisioner error","detail":"signal: interrupt","address":"terraform_data.slow"},"type":"diagnostic"}` + "\n",
	`{"@level":"warn","@message":"Warning: deprecated","diagnostic":{"severity":"warning","summary":"deprecated","detail":""},"type":"diagnostic"}` + "\n",
	`{"@level":"info","@message":"Apply complete! Resources: 1 added, 0 changed, 0 destroyed.","changes":{"add":1,"change":0,"import":0,"remove":0,"operation":"apply"},"type":"change_summary"}` + "\n",
	`{"@level":"info","@message":"Outputs: 2","outputs":{"greeting":{"sensitive":false,"type":"string","value":"hi"},"token":{"sensitive":true,"type":"string"}},"type":"outputs"}` + "\n",
	"a line that is not JSON",
}

func TestStream(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	s := &terraform.Stream{Log: &log}
	for _, chunk := range applyJSON {
		s.Write([]byte(chunk))
	}
	s.Flush()
	wantLog := `Terraform 1.5.7
terraform_data.greeting: Creating...
Interrupt received.
Gracefully shutting down...
Error: local-exec provisioner error
  with terraform_data.slow
  signal: interrupt
Warning: deprecated
Apply complete! Resources: 1 added, 0 changed, 0 destroyed.
Outputs: 2
a line that is not JSON
`
	if diff := cmp.Diff(log.String(), wantLog); diff != "" {
		t.Errorf("log (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(s.Errors(), []terraform.Diagnostic{{Severity: "error", Summary: "local-exec provisioner error", Detail: "signal: interrupt", Address: "terraform_data.slow"}}); diff != "" {
		t.Errorf("Errors() (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(s.Changes, &terraform.ChangeSummary{Add: 1, Operation: "apply"}); diff != "" {
		t.Errorf("Changes (-got +want):\n%s", diff)
	}
	want := map[string]terraform.StreamOutput{
		"greeting": {Type: json.RawMessage(`"string"`), Value: json.RawMessage(`"hi"`)},
		"token":    {Sensitive: true, Type: json.RawMessage(`"string"`)},
	}
	if diff := cmp.Diff(s.Outputs, want); diff != "" {
		t.Errorf("Outputs (-got +want):\n%s", diff)
	}
}
