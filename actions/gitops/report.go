package gitops

import (
	"fmt"
	"strings"
)

// Summary is a Markdown report of a promotion for the step summary.
func Summary(cfg Config, res *Result, err error) string {
	var b strings.Builder
	mark := "✅"
	if err != nil {
		mark = "❌"
	}
	fmt.Fprintf(&b, "### %s GitOps promotion: `%s`\n\n", mark, promotedName(cfg.Change))
	b.WriteString("| | |\n| --- | --- |\n")
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "| %s | %s |\n", k, cell(v))
		}
	}
	row("Repository", redactURL(cfg.Repository))
	row("Branch", cfg.Branch)
	row("File", "`"+cfg.File+"`")
	row("Key", "`"+cfg.Change.Describe()+"`")
	if res != nil {
		if res.New != "" {
			row("Value", fmt.Sprintf("`%s` → `%s`", orUnset(res.Old), res.New))
		}
		switch {
		case res.Changed:
			row("Commit", "`"+res.Commit+"`")
		case res.Commit != "":
			row("Commit", "`"+res.Commit+"` (already set, nothing committed)")
		}
		if res.Attempts > 1 {
			row("Attempts", fmt.Sprintf("%d (the branch moved on; the change was applied again on the new head)", res.Attempts))
		}
		if res.Reformatted {
			row("Note", "keys were added, so the file was re-encoded (comments and key order kept)")
		}
	}
	if err != nil {
		fmt.Fprintf(&b, "\n**Failed:** %s\n", cell(err.Error()))
	}
	return b.String()
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}
