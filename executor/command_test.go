package executor

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseWorkflowCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		line   string
		want   WorkflowCommand
		wantOK bool
	}{
		// Examples from GitHub's "Workflow commands for GitHub Actions".
		{
			name:   "debug",
			line:   "::debug::Set the Octocat variable",
			want:   WorkflowCommand{Name: "debug", Value: "Set the Octocat variable"},
			wantOK: true,
		},
		{
			name: "notice with properties",
			line: "::notice file=app.js,line=1,col=5,endColumn=7::Missing semicolon",
			want: WorkflowCommand{Name: "notice", Params: map[string]string{
				"file": "app.js", "line": "1", "col": "5", "endColumn": "7",
			}, Value: "Missing semicolon"},
			wantOK: true,
		},
		{
			name: "error with title",
			line: "::error file=app.js,line=1,title=Syntax error::Missing semicolon",
			want: WorkflowCommand{Name: "error", Params: map[string]string{
				"file": "app.js", "line": "1", "title": "Syntax error",
			}, Value: "Missing semicolon"},
			wantOK: true,
		},
		{name: "group", line: "::group::My title", want: WorkflowCommand{Name: "group", Value: "My title"}, wantOK: true},
		{name: "endgroup", line: "::endgroup::", want: WorkflowCommand{Name: "endgroup"}, wantOK: true},
		{name: "add-mask", line: "::add-mask::Mona The Octocat", want: WorkflowCommand{Name: "add-mask", Value: "Mona The Octocat"}, wantOK: true},
		{
			name:   "stop-commands",
			line:   "::stop-commands::pause-logging",
			want:   WorkflowCommand{Name: "stop-commands", Value: "pause-logging"},
			wantOK: true,
		},
		{name: "resume token", line: "::pause-logging::", want: WorkflowCommand{Name: "pause-logging"}, wantOK: true},
		{
			name:   "escaped data",
			line:   "::warning::100%25 done%0Anext line%0D%0A",
			want:   WorkflowCommand{Name: "warning", Value: "100% done\nnext line\r\n"},
			wantOK: true,
		},
		{
			name: "escaped property",
			line: "::error file=a%3Ab%2Cc.go,title=50%25%0A::x",
			want: WorkflowCommand{Name: "error", Params: map[string]string{
				"file": "a:b,c.go", "title": "50%\n",
			}, Value: "x"},
			wantOK: true,
		},
		{
			name:   "property escapes are not data escapes",
			line:   "::warning::a%3Ab%2Cc",
			want:   WorkflowCommand{Name: "warning", Value: "a%3Ab%2Cc"},
			wantOK: true,
		},
		{name: "%25 unescaped once", line: "::debug::%2525", want: WorkflowCommand{Name: "debug", Value: "%25"}, wantOK: true},
		{
			name:   "colons in the message",
			line:   "::set-output name=url::http://example.com::8080",
			want:   WorkflowCommand{Name: "set-output", Params: map[string]string{"name": "url"}, Value: "http://example.com::8080"},
			wantOK: true,
		},
		{
			name:   "leading white space allowed",
			line:   " \t ::warning::indented",
			want:   WorkflowCommand{Name: "warning", Value: "indented"},
			wantOK: true,
		},
		{
			name:   "name is lower-cased",
			line:   "::WARNING::loud",
			want:   WorkflowCommand{Name: "warning", Value: "loud"},
			wantOK: true,
		},
		{
			name: "properties trimmed and empty ones dropped",
			line: "::error  file=a.go,,line=,=3,title=t ::msg",
			want: WorkflowCommand{Name: "error", Params: map[string]string{
				"file": "a.go", "title": "t",
			}, Value: "msg"},
			wantOK: true,
		},
		{
			name:   "value may contain =",
			line:   "::set-env name=A=B::v",
			want:   WorkflowCommand{Name: "set-env", Params: map[string]string{"name": "A=B"}, Value: "v"},
			wantOK: true,
		},
		{
			name:   "keys differing in case are one property",
			line:   "::save-state name=a,NAME=b::v",
			want:   WorkflowCommand{Name: "save-state", Params: map[string]string{"NAME": "b"}, Value: "v"},
			wantOK: true,
		},
		{
			name:   "legacy form",
			line:   "##[set-output name=x;]value",
			want:   WorkflowCommand{Name: "set-output", Params: map[string]string{"name": "x"}, Value: "value"},
			wantOK: true,
		},
		{
			name:   "legacy group",
			line:   "##[group]Run tests",
			want:   WorkflowCommand{Name: "group", Value: "Run tests"},
			wantOK: true,
		},
		{
			name:   "legacy anywhere in the line",
			line:   "prefix ##[warning]careful",
			want:   WorkflowCommand{Name: "warning", Value: "careful"},
			wantOK: true,
		},
		{
			name: "legacy escapes",
			line: "##[error file=a%3Bb%5D.go;line=2]50%25%3B%5D%0Adone",
			want: WorkflowCommand{Name: "error", Params: map[string]string{
				"file": "a;b].go", "line": "2",
			}, Value: "50%;]\ndone"},
			wantOK: true,
		},
		{name: "plain line", line: "hello world"},
		{name: "empty", line: ""},
		{name: "no closing ::", line: "::warning missing end"},
		{name: "empty name", line: "::::value"},
		{name: "empty name with properties", line: ":: a=b::value"},
		{name: ":: not at the start", line: "echo ::warning::x"},
		{name: "single colon", line: ":warning::x"},
		{name: "legacy without ]", line: "##[warning careful"},
		{name: "legacy empty name", line: "##[]x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseWorkflowCommand(tt.line)
			if ok != tt.wantOK {
				t.Fatalf("ParseWorkflowCommand(%q) ok = %v, want %v", tt.line, ok, tt.wantOK)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("ParseWorkflowCommand(%q) (-got +want):\n%s", tt.line, diff)
			}
		})
	}
}

func TestWorkflowCommandParam(t *testing.T) {
	t.Parallel()
	cmd, ok := ParseWorkflowCommand("::error File=a.go,endLine=3::x")
	if !ok {
		t.Fatal("ParseWorkflowCommand: not a command")
	}
	tests := []struct {
		key    string
		want   string
		wantOK bool
	}{
		{key: "file", want: "a.go", wantOK: true},
		{key: "FILE", want: "a.go", wantOK: true},
		{key: "endline", want: "3", wantOK: true},
		{key: "title"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			t.Parallel()
			got, ok := cmd.Param(tt.key)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Param(%q) = %q, %v, want %q, %v", tt.key, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestEscape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		wantData string
		wantProp string
	}{
		{name: "plain", in: "hello", wantData: "hello", wantProp: "hello"},
		{name: "percent", in: "100%", wantData: "100%25", wantProp: "100%25"},
		{name: "newlines", in: "a\r\nb", wantData: "a%0D%0Ab", wantProp: "a%0D%0Ab"},
		{name: "colon and comma", in: "a:b,c", wantData: "a:b,c", wantProp: "a%3Ab%2Cc"},
		{name: "escape sequence is escaped", in: "%0A", wantData: "%250A", wantProp: "%250A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := EscapeData(tt.in); got != tt.wantData {
				t.Errorf("EscapeData(%q) = %q, want %q", tt.in, got, tt.wantData)
			}
			if got := EscapeProperty(tt.in); got != tt.wantProp {
				t.Errorf("EscapeProperty(%q) = %q, want %q", tt.in, got, tt.wantProp)
			}
			// What is escaped comes back unchanged through the parser.
			line := "::warning title=" + EscapeProperty(tt.in) + "::" + EscapeData(tt.in)
			cmd, ok := ParseWorkflowCommand(line)
			if !ok || cmd.Value != tt.in || cmd.Params["title"] != tt.in {
				t.Errorf("ParseWorkflowCommand(%q) = %+v, %v, want value and title %q", line, cmd, ok, tt.in)
			}
		})
	}
}
