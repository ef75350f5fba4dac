package localrun

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseDotenv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		data    string
		want    map[string]string
		wantErr string
	}{
		{
			name: "plain, export, comments and blank lines",
			data: "# secrets\nA=1\n\nexport B = two words \nC=x # comment\nD=\n",
			want: map[string]string{"A": "1", "B": "two words", "C": "x", "D": ""},
		},
		{
			name: "quotes",
			data: "S='a $b \\n'\nD=\"line\\nnext \\\"q\\\"\" # c\nE=\"=x=\"\n",
			want: map[string]string{"S": "a $b \\n", "D": "line\nnext \"q\"", "E": "=x="},
		},
		{name: "missing equals", data: "A=1\nBROKEN\n", wantErr: "line 2: write it as NAME=VALUE"},
		{name: "unclosed quote", data: "A=\"open\n", wantErr: "line 1: missing closing \""},
		{name: "text after quote", data: "A='x' y\n", wantErr: "line 1: unexpected \"y\" after the closing quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDotenv([]byte(tt.data))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseDotenv() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDotenv() error = %v", err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("ParseDotenv() (-got +want):\n%s", diff)
			}
		})
	}
}
