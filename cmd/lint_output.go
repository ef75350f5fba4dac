package cmd

import (
	"encoding/json"
	"fmt"
	"io"

	"codeberg.org/anvil-ci/anvil/pipeline/lint"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// lintJSON is one finding in anvil lint --format json.
type lintJSON struct {
	File     string        `json:"file"`
	Line     int           `json:"line"`
	Column   int           `json:"column"`
	Severity plan.Severity `json:"severity"`
	Message  string        `json:"message"`
	Rule     string        `json:"rule"`
}

// printFindings writes findings as text lines ("file:line:col: severity:
// message [rule]") or as a JSON array.
func printFindings(w io.Writer, format string, findings []lint.Finding) error {
	if format == "json" {
		out := make([]lintJSON, len(findings))
		for i, f := range findings {
			out[i] = lintJSON{File: f.Pos.File, Line: f.Pos.Line, Column: f.Pos.Column, Severity: f.Severity, Message: f.Message, Rule: f.Rule}
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

// lintCount counts findings by severity.
type lintCount struct{ errors, warnings int }

// countFindings counts findings by severity.
func countFindings(findings []lint.Finding) lintCount {
	var c lintCount
	for _, f := range findings {
		if f.IsError() {
			c.errors++
		} else {
			c.warnings++
		}
	}
	return c
}

// String says how many there are: "1 error and 2 warnings", "3 warnings".
func (c lintCount) String() string {
	plural := func(n int, what string) string {
		if n == 1 {
			return "1 " + what
		}
		return fmt.Sprintf("%d %ss", n, what)
	}
	switch {
	case c.errors > 0 && c.warnings > 0:
		return plural(c.errors, "error") + " and " + plural(c.warnings, "warning")
	case c.warnings > 0:
		return plural(c.warnings, "warning")
	}
	return plural(c.errors, "error")
}
