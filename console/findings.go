package console

import (
	"encoding/json"
	"fmt"
	"io"

	"codeberg.org/anvil-ci/anvil/pipeline/lint"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// FindingJSON is one finding as PrintFindings writes it in JSON (anvil lint --format json).
type FindingJSON struct {
	File     string        `json:"file"`
	Line     int           `json:"line"`
	Column   int           `json:"column"`
	Severity plan.Severity `json:"severity"`
	Message  string        `json:"message"`
	Rule     string        `json:"rule"`
}

// PrintFindings writes findings as text lines ("file:line:col: severity:
// message [rule]") or as a JSON array.
func PrintFindings(w io.Writer, format string, findings []lint.Finding) error {
	if format == "json" {
		out := make([]FindingJSON, len(findings))
		for i, f := range findings {
			out[i] = FindingJSON{File: f.Pos.File, Line: f.Pos.Line, Column: f.Pos.Column, Severity: f.Severity, Message: f.Message, Rule: f.Rule}
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
		if _, err := fmt.Fprintln(w, plan.FormatProblem(f.Problem())); err != nil {
			return fmt.Errorf("printing the problems: %w", err)
		}
	}
	return nil
}

// FindingCount counts findings by severity.
type FindingCount struct{ Errors, Warnings int }

// CountFindings counts findings by severity.
func CountFindings(findings []lint.Finding) FindingCount {
	var c FindingCount
	for _, f := range findings {
		if f.IsError() {
			c.Errors++
		} else {
			c.Warnings++
		}
	}
	return c
}

// String says how many there are: "1 error and 2 warnings", "3 warnings".
func (c FindingCount) String() string {
	plural := func(n int, what string) string {
		if n == 1 {
			return "1 " + what
		}
		return fmt.Sprintf("%d %ss", n, what)
	}
	switch {
	case c.Errors > 0 && c.Warnings > 0:
		return plural(c.Errors, "error") + " and " + plural(c.Warnings, "warning")
	case c.Warnings > 0:
		return plural(c.Warnings, "warning")
	}
	return plural(c.Errors, "error")
}
