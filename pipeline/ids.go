package pipeline

import (
	"strconv"
	"strings"
)

// validID reports whether s is a valid job or step id: a letter or _
// followed by letters, digits, - and _.
func validID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// idRules is the advice given with an invalid id.
const idRules = "start with a letter or _ and use only letters, digits, - and _"

// actionRefProblem explains why uses: s is not a valid action reference,
// or returns "" when it is. Expressions are left for run time.
func actionRefProblem(s string) string {
	const want = "; use ./path, docker://image, owner/repo@ref or https://host/owner/repo@ref"
	switch {
	case s == "":
		return "uses is empty" + want
	case isExpr(s), strings.HasPrefix(s, "./"):
		return ""
	case strings.HasPrefix(s, "docker://"):
		if len(s) == len("docker://") {
			return "uses " + quote(s) + " names no image" + want
		}
		return ""
	}
	rest := s
	if after, ok := strings.CutPrefix(s, "https://"); ok {
		rest = after
	} else if after, ok := strings.CutPrefix(s, "http://"); ok {
		rest = after
	}
	path, ref, ok := strings.Cut(rest, "@")
	if !ok || ref == "" {
		return "uses " + quote(s) + " has no version; add @ref, for example " + quote(strings.TrimSuffix(s, "@")+"@v4")
	}
	owner, repo, _ := strings.Cut(path, "/")
	if owner == "" || repo == "" || strings.HasPrefix(repo, "/") {
		return "uses " + quote(s) + " is not an action reference" + want
	}
	return ""
}

// workflowRefProblem explains why a job's uses: s is not a valid reusable
// workflow reference, or returns "".
func workflowRefProblem(s string) string {
	const want = "; use ./.forgejo/workflows/file.yml or owner/repo/.forgejo/workflows/file.yml@ref"
	if isExpr(s) {
		return ""
	}
	path, ref, hasRef := strings.Cut(s, "@")
	local := strings.HasPrefix(s, "./")
	switch {
	case s == "":
		return "uses is empty" + want
	case !strings.HasSuffix(path, ".yml") && !strings.HasSuffix(path, ".yaml"):
		return "uses " + quote(s) + " does not name a workflow file (.yml or .yaml)" + want
	case local && hasRef:
		return "uses " + quote(s) + " is local and cannot have a version; remove @" + ref
	case !local && (!hasRef || ref == ""):
		return "uses " + quote(s) + " has no version; add @ref" + want
	}
	return ""
}

// quote quotes s for messages, as %q does.
func quote(s string) string {
	return strconv.Quote(s)
}
