package cmd

import (
	"encoding/json"
	"fmt"
	"io"

	"codeberg.org/anvil-ci/anvil/pipeline/lint"
)

// lintJSON is one finding in anvil lint --format json.
type lintJSON struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Message  string `json:"message"`
	Rule     string `json:"rule"`
	Advisory bool   `json:"advisory"`
}

// printFindings writes findings as text lines or as a JSON array.
func printFindings(w io.Writer, format string, findings []lint.Finding) error {
	if format == "json" {
		out := make([]lintJSON, len(findings))
		for i, f := range findings {
			out[i] = lintJSON{File: f.Pos.File, Line: f.Pos.Line, Column: f.Pos.Column, Message: f.Message, Rule: f.Rule, Advisory: f.Advisory}
		}
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return fmt.Errorf("printing the problems: %w", err)
		}
		return nil
	}
	for _, f := range findings {
		if _, err := fmt.Fprintln(w, f); err != nil {
			return fmt.Errorf("printing the problems: %w", err)
		}
	}
	return nil
}

// countFindings says how many problems there are: "3 problems (1
// advisory)".
func countFindings(findings []lint.Finding) string {
	advisory := 0
	for _, f := range findings {
		if f.Advisory {
			advisory++
		}
	}
	s := problemCount(len(findings))
	if advisory > 0 {
		s += fmt.Sprintf(" (%d advisory)", advisory)
	}
	return s
}
