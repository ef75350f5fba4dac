package step_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/actions/step"
	"codeberg.org/anvil-ci/anvil/executor"
)

// TestSetOutputsReadByEngine checks that the engine's own $GITHUB_OUTPUT
// parser reads back every value, including multi-line ones and values that
// look like delimiters.
func TestSetOutputsReadByEngine(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "output")
	rt := &step.Runtime{Log: &bytes.Buffer{}, OutputFile: file}
	outs := []step.Output{
		{Name: "plain", Value: "1"},
		{Name: "empty", Value: ""},
		{Name: "report", Value: "### title\n\n| a | b |\nEOF\n"},
		{Name: "tricky", Value: "ANVIL_EOF_\nname<<X\n"},
	}
	if err := rt.SetOutputs(outs); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kvs, err := executor.ParseEnvFile(f)
	if err != nil {
		t.Fatalf("the engine cannot read $GITHUB_OUTPUT: %v", err)
	}
	got := map[string]string{}
	for _, kv := range kvs {
		got[kv.Key] = kv.Value
	}
	want := map[string]string{"plain": "1", "empty": "", "report": "### title\n\n| a | b |\nEOF\n", "tricky": "ANVIL_EOF_\nname<<X\n"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("outputs read back (-got +want):\n%s", diff)
	}
}

func TestMaskAndGroup(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	rt := &step.Runtime{Log: &log}
	rt.Mask("first line\nsecond%line")
	rt.Mask("first line")
	rt.Mask("")
	rt.Group("terraform plan", func() { rt.Printf("::set-env name=X::y") })
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 7 {
		t.Fatalf("log has %d lines, want 7:\n%s", len(lines), log.String())
	}
	if diff := cmp.Diff(lines[:3], []string{"::add-mask::first line", "::add-mask::second%25line", "::group::terraform plan"}); diff != "" {
		t.Errorf("masks and group start (-got +want):\n%s", diff)
	}
	token, ok := strings.CutPrefix(lines[3], "::stop-commands::")
	if !ok || token == "" || lines[4] != "::set-env name=X::y" || lines[5] != "::"+token+"::" || lines[6] != "::endgroup::" {
		t.Errorf("the group does not switch workflow commands off around its lines:\n%s", log.String())
	}
}

func TestRuntimeWithoutFiles(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	rt := &step.Runtime{Log: &log}
	if err := rt.SetOutputs([]step.Output{{Name: "changes", Value: "true"}}); err != nil {
		t.Fatal(err)
	}
	if err := rt.AddSummary("# x"); err != nil {
		t.Fatal(err)
	}
	if got := log.String(); got != "output changes=true\n" {
		t.Errorf("outside a job, the log = %q, want the output printed", got)
	}
}
