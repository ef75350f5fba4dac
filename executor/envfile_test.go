package executor

import (
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

func TestParseEnvFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    []KeyValue
		wantErr string
	}{
		{name: "empty file", in: ""},
		{name: "simple", in: "A=1\nB=two words\n", want: []KeyValue{{"A", "1"}, {"B", "two words"}}},
		{name: "no final newline", in: "A=1", want: []KeyValue{{"A", "1"}}},
		{name: "empty value", in: "A=\n", want: []KeyValue{{"A", ""}}},
		{name: "value with = and <<", in: "A=b=c<<d\n", want: []KeyValue{{"A", "b=c<<d"}}},
		{name: "spaces kept", in: " A = 1 \n", want: []KeyValue{{" A ", " 1 "}}},
		{name: "empty lines skipped", in: "\n\nA=1\n\n\nB=2\n\n", want: []KeyValue{{"A", "1"}, {"B", "2"}}},
		{name: "crlf", in: "A=1\r\nB=2\r\n", want: []KeyValue{{"A", "1"}, {"B", "2"}}},
		{name: "order and repeats kept", in: "A=1\nB=2\nA=3\n", want: []KeyValue{{"A", "1"}, {"B", "2"}, {"A", "3"}}},
		{
			// GitHub's documented example for multi-line values.
			name: "heredoc",
			in:   "JSON_RESPONSE<<EOF\n{\n  \"a\": 1\n}\nEOF\n",
			want: []KeyValue{{"JSON_RESPONSE", "{\n  \"a\": 1\n}"}},
		},
		{name: "heredoc empty value", in: "A<<EOF\nEOF\n", want: []KeyValue{{"A", ""}}},
		{name: "heredoc empty lines kept", in: "A<<EOF\n\nx\n\nEOF\n", want: []KeyValue{{"A", "\nx\n"}}},
		{name: "heredoc crlf", in: "A<<EOF\r\none\r\ntwo\r\nEOF\r\nB=2\r\n", want: []KeyValue{{"A", "one\ntwo"}, {"B", "2"}}},
		{name: "heredoc delimiter without final newline", in: "A<<EOF\nx\nEOF", want: []KeyValue{{"A", "x"}}},
		{
			name: "heredoc ends at first exact delimiter line",
			in:   "A<<EOF\n EOF\nEOF2\nEOF\nEOF\n",
			want: []KeyValue{{"A", " EOF\nEOF2"}},
			// The second "EOF" line is then a line without = or <<.
			wantErr: "line 5: missing = or <<",
		},
		{name: "heredoc value with =", in: "A<<EOF\nB=1\nEOF\n", want: []KeyValue{{"A", "B=1"}}},
		{name: "<< before = is a heredoc", in: "A<<X=Y\nv\nX=Y\n", want: []KeyValue{{"A", "v"}}},
		{name: "random delimiter", in: "out<<ghadelimiter_5c0e\nv\nghadelimiter_5c0e\n", want: []KeyValue{{"out", "v"}}},
		{name: "mixed", in: "A=1\nM<<E\nx\ny\nE\nB=2\n", want: []KeyValue{{"A", "1"}, {"M", "x\ny"}, {"B", "2"}}},
		{name: "missing = or <<", in: "A=1\n\nJUSTANAME\n", want: []KeyValue{{"A", "1"}}, wantErr: "line 3: missing = or <<"},
		{name: "empty name", in: "=value\n", wantErr: "line 1: name before = is empty"},
		{name: "heredoc empty name", in: "<<EOF\nx\nEOF\n", wantErr: "line 1: name before << is empty"},
		{name: "heredoc empty delimiter", in: "A<<\nx\n", wantErr: "line 1: delimiter after A<< is empty"},
		{
			name:    "heredoc delimiter not found",
			in:      "A=1\nB=2\n\n\nMYVAR<<EOF\nline\nEOF \n",
			want:    []KeyValue{{"A", "1"}, {"B", "2"}},
			wantErr: "line 5: delimiter EOF for MYVAR not found",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseEnvFile(strings.NewReader(tt.in))
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
				var fe *EnvFileError
				if !errors.As(err, &fe) {
					t.Errorf("ParseEnvFile error %v is not an *EnvFileError", err)
				}
			}
			if gotErr != tt.wantErr {
				t.Errorf("ParseEnvFile(%q) error = %q, want %q", tt.in, gotErr, tt.wantErr)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("ParseEnvFile(%q) (-got +want):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseEnvFileLongValue(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 1<<20) // beyond bufio.Scanner's default limit
	got, err := ParseEnvFile(strings.NewReader("A=" + long + "\nB<<EOF\n" + long + "\nEOF\n"))
	if err != nil {
		t.Fatalf("ParseEnvFile: %v", err)
	}
	if len(got) != 2 || got[0].Value != long || got[1].Value != long {
		t.Errorf("ParseEnvFile of 1 MiB values lost data: got %d pairs", len(got))
	}
}

func TestParseEnvFileReadError(t *testing.T) {
	t.Parallel()
	boom := errors.New("disk on fire")
	_, err := ParseEnvFile(iotest.ErrReader(boom))
	if !errors.Is(err, boom) {
		t.Errorf("ParseEnvFile(failing reader) error = %v, want it to wrap %v", err, boom)
	}
}

func TestEnvRefusal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, via string
		level     string
		line      string // a part of the line
	}{
		{name: "NODE_OPTIONS", via: "GITHUB_ENV", level: "error", line: "Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command."},
		{name: "node_options", via: "GITHUB_ENV", level: "error", line: "Can't store NODE_OPTIONS"},
		{name: "NODE_OPTIONS", via: "set-env", level: "error", line: "Can't update NODE_OPTIONS environment variable using ::set-env:: command."},
		{name: "LD_PRELOAD", via: "GITHUB_ENV", level: "warning", line: "LD_PRELOAD was not set"},
		{name: "LD_AUDIT", via: "GITHUB_ENV", level: "warning", line: "LD_AUDIT was not set"},
		{name: "BASH_ENV", via: "set-env", level: "warning", line: "::set-env::"},
		{name: "LD_LIBRARY_PATH", via: "GITHUB_ENV"},
		{name: "PATH", via: "GITHUB_ENV"},
		{name: "NODE_OPTIONS_X", via: "GITHUB_ENV"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.via, func(t *testing.T) {
			t.Parallel()
			level, line, refused := EnvRefusal(tt.name, tt.via)
			if refused != (tt.level != "") || level != tt.level || !strings.Contains(line, tt.line) {
				t.Errorf("EnvRefusal(%q, %q) = %q, %q, %v; want level %q and a line containing %q", tt.name, tt.via, level, line, refused, tt.level, tt.line)
			}
		})
	}
}
