package terraform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Diagnostic is an error or warning Terraform reported in its
// machine-readable output.
type Diagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Address  string `json:"address,omitempty"`
}

// ChangeSummary is the counts of a plan or apply (type change_summary).
type ChangeSummary struct {
	Add       int    `json:"add"`
	Change    int    `json:"change"`
	Import    int    `json:"import"`
	Remove    int    `json:"remove"`
	Operation string `json:"operation"`
}

// StreamOutput is one output value of an apply's outputs message. Value is
// absent for sensitive outputs.
type StreamOutput struct {
	Sensitive bool            `json:"sensitive"`
	Type      json.RawMessage `json:"type,omitempty"`
	Value     json.RawMessage `json:"value,omitempty"`
	Action    string          `json:"action,omitempty"`
}

// uiMessage is one line of Terraform's -json output (the "machine
// readable UI", version 1.x).
type uiMessage struct {
	Level      string                  `json:"@level"`
	Message    string                  `json:"@message"`
	Type       string                  `json:"type"`
	Diagnostic *Diagnostic             `json:"diagnostic"`
	Changes    *ChangeSummary          `json:"changes"`
	Outputs    map[string]StreamOutput `json:"outputs"`
}

// Stream reads Terraform's -json output as it is written: it prints each
// message's human text to Log and keeps the diagnostics, the change
// summary and the outputs. Lines that are not JSON are printed as they are.
type Stream struct {
	Log io.Writer

	buf         []byte
	Diagnostics []Diagnostic
	Changes     *ChangeSummary
	Outputs     map[string]StreamOutput
}

// Write consumes complete lines of p and buffers the rest.
func (s *Stream) Write(p []byte) (int, error) {
	s.buf = append(s.buf, p...)
	for {
		i := bytes.IndexByte(s.buf, '\n')
		if i < 0 {
			break
		}
		s.line(s.buf[:i])
		s.buf = s.buf[i+1:]
	}
	return len(p), nil
}

// Flush consumes a last line without newline.
func (s *Stream) Flush() {
	if len(s.buf) > 0 {
		s.line(s.buf)
		s.buf = nil
	}
}

// Errors returns the error diagnostics.
func (s *Stream) Errors() []Diagnostic {
	var out []Diagnostic
	for _, d := range s.Diagnostics {
		if d.Severity == "error" {
			out = append(out, d)
		}
	}
	return out
}

func (s *Stream) line(raw []byte) {
	raw = bytes.TrimRight(raw, "\r")
	var m uiMessage
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &m) != nil {
		fmt.Fprintf(s.Log, "%s\n", raw)
		return
	}
	switch m.Type {
	case "diagnostic":
		if m.Diagnostic != nil {
			s.Diagnostics = append(s.Diagnostics, *m.Diagnostic)
			printDiagnostic(s.Log, *m.Diagnostic)
			return
		}
	case "change_summary":
		s.Changes = m.Changes
	case "outputs":
		if m.Outputs != nil {
			s.Outputs = m.Outputs
		}
	}
	for l := range strings.SplitSeq(strings.Trim(m.Message, "\n"), "\n") {
		fmt.Fprintln(s.Log, l)
	}
}

// printDiagnostic prints d the way Terraform's human output does.
func printDiagnostic(w io.Writer, d Diagnostic) {
	title := "Error"
	if d.Severity == "warning" {
		title = "Warning"
	}
	fmt.Fprintf(w, "%s: %s\n", title, d.Summary)
	if d.Address != "" {
		fmt.Fprintf(w, "  with %s\n", d.Address)
	}
	for l := range strings.SplitSeq(strings.TrimRight(d.Detail, "\n"), "\n") {
		if d.Detail != "" {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
}
