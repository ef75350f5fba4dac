package forge_test

import (
	"slices"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/forge"
)

func TestParseLabel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		want      forge.Label
		image     string
		wantError string
	}{
		{in: "ubuntu-latest", want: forge.Label{Name: "ubuntu-latest"}},
		{in: "self-hosted:host", want: forge.Label{Name: "self-hosted", Schema: "host"}},
		{in: "ubuntu-latest:docker://node:20-bookworm", want: forge.Label{Name: "ubuntu-latest", Schema: "docker", Arg: "//node:20-bookworm"}, image: "node:20-bookworm"},
		{in: "alpine:docker://registry:5000/alpine:3", want: forge.Label{Name: "alpine", Schema: "docker", Arg: "//registry:5000/alpine:3"}, image: "registry:5000/alpine:3"},
		{in: "  padded:host ", want: forge.Label{Name: "padded", Schema: "host"}},
		{in: "", wantError: "no name"},
		{in: ":host", wantError: "no name"},
		{in: "a b", wantError: "space or a comma"},
		{in: "a,b", wantError: "space or a comma"},
		{in: "name:", wantError: "empty schema"},
		{in: "name:docker:", wantError: "empty argument"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := forge.ParseLabel(tt.in)
			if tt.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantError) || !strings.Contains(err.Error(), "name[:schema[:arg]]") {
					t.Errorf("ParseLabel(%q) = %v, %v; want an error about %q with the syntax", tt.in, got, err, tt.wantError)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseLabel(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
			if s := got.String(); s != strings.TrimSpace(tt.in) {
				t.Errorf("ParseLabel(%q).String() = %q, want the label back", tt.in, s)
			}
			if img := got.Image(); img != tt.image {
				t.Errorf("ParseLabel(%q).Image() = %q, want %q", tt.in, img, tt.image)
			}
		})
	}
}

func TestLabelNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want []string
	}{
		{in: nil, want: []string{}},
		{in: []string{"ubuntu-latest:docker://node:20", "self-hosted:host", "plain"}, want: []string{"ubuntu-latest", "self-hosted", "plain"}},
		{in: []string{"a:host", "a:docker://x", "", " b "}, want: []string{"a", "b"}},
	}
	for _, tt := range tests {
		if got := forge.LabelNames(tt.in); !slices.Equal(got, tt.want) || got == nil {
			t.Errorf("LabelNames(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitLabels(t *testing.T) {
	t.Parallel()
	tests := map[string][]string{
		"":                            nil,
		" , ,":                        nil,
		"a":                           {"a"},
		"x:host, y:docker://alpine:3": {"x:host", "y:docker://alpine:3"},
		"a,,b ,":                      {"a", "b"},
	}
	for in, want := range tests {
		if got := forge.SplitLabels(in); !slices.Equal(got, want) {
			t.Errorf("SplitLabels(%q) = %q, want %q", in, got, want)
		}
	}
}
