package pipeline

import (
	"errors"
	"testing"

	"codeberg.org/anvil-ci/anvil/internal/testkit/golden"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

func TestParseAction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string // testdata/actions/<name>/action.yml, golden action.golden.json
	}{
		{name: "composite"},
		{name: "node"},
		{name: "docker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := "testdata/actions/" + tt.name
			a, err := ParseAction(dir+"/action.yml", readFile(t, dir+"/action.yml"))
			if err != nil {
				t.Fatalf("ParseAction(%s) error:\n%v", dir, err)
			}
			golden.Check(t, dir+"/action.golden.json", toJSON(t, a))
		})
	}
}

func TestParseActionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string // testdata/actions/<name>/action.yml, golden action.golden.txt
	}{
		{name: "bad-composite"}, // composite checks on steps, shell required
		{name: "bad-using"},     // unsupported runs.using
		{name: "bad-node"},      // node action without main, wrong types
		{name: "bad-docker"},    // docker action without image
		{name: "no-runs"},       // runs missing
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := "testdata/actions/" + tt.name
			a, err := ParseAction(dir+"/action.yml", readFile(t, dir+"/action.yml"))
			var problems plan.Errors
			if !errors.As(err, &problems) || a != nil {
				t.Fatalf("ParseAction(%s) = %v, %v; want nil and Errors", dir, a, err)
			}
			golden.Check(t, dir+"/action.golden.txt", []byte(err.Error()+"\n"))
		})
	}
}
