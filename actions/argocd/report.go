package argocd

import (
	"fmt"
	"strings"
	"time"
)

// Summary is a Markdown report of a sync or wait for the step summary:
// what was asked, where the application ended up, and err if it failed.
func Summary(title, server string, app AppRef, res *Result, err error) string {
	var b strings.Builder
	mark := "✅"
	if err != nil {
		mark = "❌"
	}
	fmt.Fprintf(&b, "### %s %s `%s`\n\n", mark, title, app)
	b.WriteString("| | |\n| --- | --- |\n")
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "| %s | %s |\n", k, cell(v))
		}
	}
	row("Server", server)
	if res != nil {
		if res.Revision != "" {
			row("Revision", "`"+res.Revision+"`")
		}
		row("Operation", res.Phase())
		row("Message", res.Message())
		row("Sync status", res.SyncStatus())
		row("Health", res.HealthStatus())
		if res.App != nil {
			row("Health message", res.App.Status.Health.Message)
			row("Images", strings.Join(res.App.Status.Summary.Images, ", "))
		}
		row("Took", res.Elapsed.Round(time.Second).String())
	}
	if err != nil {
		fmt.Fprintf(&b, "\n**Failed:** %s\n", cell(err.Error()))
	}
	if res != nil && res.App != nil {
		if st := res.App.Status.OperationState; st != nil && st.SyncResult != nil && len(st.SyncResult.Resources) > 0 {
			b.WriteString("\n| Kind | Name | Status | Message |\n| --- | --- | --- | --- |\n")
			for _, r := range st.SyncResult.Resources {
				name := r.Name
				if r.Namespace != "" {
					name = r.Namespace + "/" + name
				}
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(r.Kind), cell(name), cell(r.Status), cell(r.Message))
			}
		}
	}
	return b.String()
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}
