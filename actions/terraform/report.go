package terraform

import (
	"errors"
	"fmt"
	"strings"
)

// maxReportText bounds the plan text quoted in a report.
const maxReportText = 64 << 10

// planReport is terraform-plan's step summary.
func planReport(title string, res *PlanResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s: %s\n\n", title, verdict(res))
	writeFacts(&b, res)
	if res.Bundle != "" {
		enc := "**not encrypted**"
		if res.Encrypted {
			enc = "encrypted (age, passphrase)"
		}
		fmt.Fprintf(&b, "| bundle | `%s`, %s |\n| bundle sha256 | `%s` |\n", res.Bundle, enc, res.BundleSHA256)
	}
	b.WriteString("\n")
	writeChanges(&b, res.Summary)
	writeText(&b, "Plan", res.Text)
	return b.String()
}

// driftReport is terraform-drift's report and step summary.
func driftReport(res *DriftResult) string {
	var b strings.Builder
	if res.Drift {
		fmt.Fprintf(&b, "### Terraform drift check: drift found (%s)\n\n", countsText(res.Summary.Counts))
	} else {
		b.WriteString("### Terraform drift check: no drift\n\n")
	}
	writeFacts(&b, res.PlanResult)
	b.WriteString("\n")
	if len(res.Summary.Drift) > 0 {
		b.WriteString("Changed outside Terraform:\n\n")
		for _, d := range res.Summary.Drift {
			fmt.Fprintf(&b, "- `%s` (%s)\n", d.Address, d.Action)
		}
		b.WriteString("\n")
	}
	writeChanges(&b, res.Summary)
	if res.Drift {
		writeText(&b, "Plan", res.Text)
	}
	return b.String()
}

// applyReport is terraform-apply's step summary.
func applyReport(res *ApplyResult) string {
	var b strings.Builder
	b.WriteString("### Terraform apply: applied\n\n")
	if c := res.Changes; c != nil {
		fmt.Fprintf(&b, "Resources: %d added, %d changed, %d destroyed.\n\n", c.Add, c.Change, c.Remove)
	}
	fmt.Fprintf(&b, "| | |\n| --- | --- |\n| workspace | `%s` |\n| Terraform | %s |\n\n", res.Meta.Workspace, res.Meta.TerraformVersion)
	if len(res.Outputs) > 0 {
		b.WriteString("| output | value |\n| --- | --- |\n")
		for _, o := range res.Outputs {
			v := "`" + strings.ReplaceAll(outputString(o.Value), "`", "'") + "`"
			switch {
			case o.Sensitive:
				v = "(sensitive)"
			case o.Value == nil:
				v = "(unknown)"
			}
			fmt.Fprintf(&b, "| `%s` | %s |\n", o.Name, tableCell(v))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// failureReport is the step summary of a failed action.
func failureReport(title string, err error) string {
	var b strings.Builder
	reason := ReasonOf(err)
	if reason == "" {
		reason = "error"
	}
	fmt.Fprintf(&b, "### %s failed: %s\n\n%s\n\n", title, reason, tableCell(err.Error()))
	var f *Failure
	if errors.As(err, &f) && f.Lock != nil {
		l := f.Lock
		b.WriteString("The state lock is held by:\n\n| | |\n| --- | --- |\n")
		for _, row := range [][2]string{{"ID", l.ID}, {"Path", l.Path}, {"Operation", l.Operation}, {"Who", l.Who}, {"Version", l.Version}, {"Created", l.Created}, {"Info", l.Info}} {
			if row[1] != "" {
				fmt.Fprintf(&b, "| %s | `%s` |\n", row[0], tableCell(row[1]))
			}
		}
		fmt.Fprintf(&b, "\nIf that operation is gone, release the lock with `terraform force-unlock %s`.\n\n", l.ID)
	}
	return b.String()
}

// verdict is the headline of a plan.
func verdict(res *PlanResult) string {
	if !res.Changes {
		return "no changes"
	}
	if c := res.Summary.Counts; c == (Counts{}) {
		return "only output changes"
	}
	return countsText(res.Summary.Counts)
}

// countsText is "N to add, N to change, N to destroy".
func countsText(c Counts) string {
	return fmt.Sprintf("%d to add, %d to change, %d to destroy", c.Add, c.Change, c.Destroy)
}

// writeFacts writes the table of where the plan ran.
func writeFacts(b *strings.Builder, res *PlanResult) {
	c := res.Summary.Counts
	fmt.Fprintf(b, "| | |\n| --- | --- |\n| add / change / destroy | %d / %d / %d |\n", c.Add, c.Change, c.Destroy)
	fmt.Fprintf(b, "| workspace | `%s` |\n| Terraform | %s |\n", res.Workspace, res.TerraformVersion)
	if len(res.Summary.OutputChanges) > 0 {
		fmt.Fprintf(b, "| outputs changing | `%s` |\n", strings.Join(res.Summary.OutputChanges, "`, `"))
	}
}

// writeChanges lists the resource changes.
func writeChanges(b *strings.Builder, s *PlanSummary) {
	if len(s.Changes) == 0 {
		return
	}
	b.WriteString("| resource | action |\n| --- | --- |\n")
	for _, c := range s.Changes {
		fmt.Fprintf(b, "| `%s` | %s |\n", tableCell(c.Address), c.Action)
	}
	b.WriteString("\n")
}

// writeText quotes text in a folded code block.
func writeText(b *strings.Builder, title, text string) {
	text = strings.TrimRight(strings.TrimLeft(text, "\n"), "\n ")
	if strings.TrimSpace(text) == "" {
		return
	}
	if len(text) > maxReportText {
		text = text[:maxReportText] + "\n… (truncated; the whole plan is in the log)"
	}
	fence := "```"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	fmt.Fprintf(b, "<details><summary>%s</summary>\n\n%stext\n%s\n%s\n\n</details>\n\n", title, fence, text, fence)
}

// tableCell makes s safe in a Markdown table cell.
func tableCell(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ").Replace(s)
}
