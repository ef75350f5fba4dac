package prompt

import (
	"strings"
	"testing"
)

func TestPrompter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    []string // the answers to: name [host], token (secret), labels
		wantOut string
		wantErr bool
	}{
		{name: "answers", in: "build-1\ntok\nx:host\n", want: []string{"build-1", "tok", "x:host"},
			wantOut: "Name [host]: Token: Labels [self-hosted]: "},
		{name: "empty answers take the defaults", in: "\n  \n\n", want: []string{"host", "", "self-hosted"}},
		{name: "last line without newline", in: "a\nb\nc", want: []string{"a", "b", "c"}},
		{name: "input ends early", in: "a\n", want: []string{"a", "", "self-hosted"}, wantErr: true,
			wantOut: "Name [host]: Token: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out strings.Builder
			p := New(strings.NewReader(tt.in), &out)
			got := []string{p.Ask("Name", "host"), p.Secret("Token"), p.Ask("Labels", "self-hosted")}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("answers %q, want %q", got, tt.want)
			}
			if (p.Err() != nil) != tt.wantErr {
				t.Errorf("Err() = %v, want an error: %v", p.Err(), tt.wantErr)
			}
			if tt.wantOut != "" && out.String() != tt.wantOut {
				t.Errorf("questions %q, want %q", out.String(), tt.wantOut)
			}
		})
	}
}
