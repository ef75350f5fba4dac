package policy

import (
	"cmp"
	"strings"
)

// TaskFromGithub reads the task context from a github context (a forge
// task's, or the one anvil exec builds). workflow is the run's workflow
// file when the context does not name it.
func TaskFromGithub(gh map[string]any, workflow string) Task {
	s := func(k string) string { v, _ := gh[k].(string); return v }
	t := Task{
		Repository: s("repository"), Ref: s("ref"), SHA: s("sha"),
		Event: s("event_name"), Actor: s("actor"),
		Workflow:  cmp.Or(s("workflow"), workflow),
		ServerURL: strings.TrimSuffix(s("server_url"), "/"),
		DefaultActionsURL: strings.TrimSuffix(cmp.Or(s("gitea_default_actions_url"),
			s("forgejo_default_actions_url"), s("default_actions_url")), "/"),
	}
	switch v := gh["ref_protected"].(type) {
	case bool:
		t.RefProtected = v
	case string:
		t.RefProtected = strings.EqualFold(v, "true")
	}
	return t
}
