package cache

// ScopeOf is what the jobs of a run (a forge task, an anvil exec run) may
// reach of the cache, from their github context: their repository's
// entries of their ref (read and write), of a pull request's base branch
// and of the default branch (read).
func ScopeOf(github map[string]any) Scope {
	event, _ := github["event"].(map[string]any)
	repo, _ := event["repository"].(map[string]any)
	return Scope{
		Repository:    str(github["repository"]),
		Ref:           str(github["ref"]),
		BaseRef:       str(github["base_ref"]),
		DefaultBranch: str(repo["default_branch"]),
	}
}

// str returns v when it is a string, else "".
func str(v any) string {
	s, _ := v.(string)
	return s
}
