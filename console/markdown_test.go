package console

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRenderMarkdown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		md    string
		color bool
		want  []string
	}{
		{
			name: "headings are underlined at levels 1 and 2",
			md:   "# Title\n### Small ###\n",
			want: []string{"Title", "─────", "Small"},
		},
		{
			name: "bullets and inline markers",
			md:   "- **bold** item\n  * `code` item\n1. numbered",
			want: []string{"• bold item", "  • code item", "1. numbered"},
		},
		{
			name: "tables are aligned with a header rule",
			md:   "| name | n |\n|:--|--:|\n| a | 10 |\n| long name | 2 |",
			want: []string{"name       n", "─────────────", "a          10", "long name  2"},
		},
		{
			name: "fences are indented and quotes marked",
			md:   "```sh\nmake test\n```\n> note this\n\n\n",
			want: []string{"    make test", "│ note this"},
		},
		{
			name:  "colour marks bold and code",
			md:    "**b** `c`",
			color: true,
			want:  []string{"\x1b[1mb\x1b[0m \x1b[36mc\x1b[0m"},
		},
		{
			name: "other text passes through",
			md:   "<details>plain *text*</details>",
			want: []string{"<details>plain *text*</details>"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := renderMarkdown(tt.md, Style{Color: tt.color})
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("renderMarkdown(%q) (-got +want):\n%s", tt.md, diff)
			}
		})
	}
}
