package forge

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRunnerFileFromSecret(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		secret  string
		want    RunnerFile
		wantErr bool
	}{
		{
			// The uuid is the ASCII of "7c31591e8b67225a": '7' is 0x37,
			// 'c' 0x63, '3' 0x33, '1' 0x31, ...
			name:   "Forgejo's documented example",
			secret: "7c31591e8b67225a116d4a4519ea8e507e08f71f",
			want: RunnerFile{
				UUID: "37633331-3539-3165-3862-363732323561", Token: "7c31591e8b67225a116d4a4519ea8e507e08f71f",
				Name: "r1", Address: "https://forgejo.example", Labels: []string{"docker:docker://node:20-bookworm"},
			},
		},
		{
			name:   "digits only",
			secret: "0123456789012345678901234567890123456789",
			want: RunnerFile{
				UUID: "30313233-3435-3637-3839-303132333435", Token: "0123456789012345678901234567890123456789",
				Name: "r1", Address: "https://forgejo.example", Labels: []string{"docker:docker://node:20-bookworm"},
			},
		},
		{name: "too short", secret: "7c31591e8b67225a116d4a4519ea8e507e08f71", wantErr: true},
		{name: "too long", secret: "7c31591e8b67225a116d4a4519ea8e507e08f71ff", wantErr: true},
		{name: "not hexadecimal", secret: "7c31591e8b67225a116d4a4519ea8e507e08f71g", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := RunnerFileFromSecret("https://forgejo.example", "r1", tt.secret, []string{"docker:docker://node:20-bookworm"})
			if tt.wantErr {
				if !errors.Is(err, ErrBadSecret) {
					t.Fatalf("RunnerFileFromSecret(%q) error = %v, want ErrBadSecret", tt.secret, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("RunnerFileFromSecret() (-got +want):\n%s", diff)
			}
		})
	}
}
