package resolve

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"
)

// Ref is a parsed uses: reference to something in another repository.
type Ref struct {
	// Uses is the reference as written.
	Uses string
	// Server is scheme://host[:port] for URL-form references
	// (https://host/owner/repo@ref); "" means the default sources.
	Server string
	// Owner and Repo name the repository.
	Owner, Repo string
	// Path is the directory of the action, or the workflow file, inside
	// the repository ("" for the repository's root).
	Path string
	// Version is what follows @: a tag, a branch or a commit id.
	Version string
}

// Repository is owner/repo.
func (r Ref) Repository() string { return r.Owner + "/" + r.Repo }

// String is the reference without the server: owner/repo[/path]@version.
func (r Ref) String() string {
	s := r.Repository()
	if r.Path != "" {
		s += "/" + r.Path
	}
	return s + "@" + r.Version
}

// PinnedSHA reports whether Version is a full commit id (40 hex digits
// for SHA-1 repositories, 64 for SHA-256).
func (r Ref) PinnedSHA() bool { return isFullSHA(r.Version) }

var (
	hexRe  = regexp.MustCompile(`^[0-9a-f]+$`)
	nameRe = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
)

func isFullSHA(s string) bool {
	return (len(s) == 40 || len(s) == 64) && hexRe.MatchString(s)
}

// isShortSHA reports whether s looks like an abbreviated commit id.
func isShortSHA(s string) bool {
	return len(s) >= 7 && len(s) < 40 && hexRe.MatchString(s)
}

// ParseRef parses owner/repo[/path]@ref and
// http(s)://host[:port]/owner/repo[/path]@ref. Reusable workflows use the
// same forms with the workflow file as the path.
func ParseRef(uses string) (Ref, error) {
	r := Ref{Uses: uses}
	bad := func(why string) (Ref, error) {
		return Ref{}, fmt.Errorf("uses %q %s: write owner/repo[/path]@ref or https://host/owner/repo[/path]@ref", uses, why)
	}
	rest := strings.TrimSpace(uses)
	if i := strings.LastIndex(rest, "@"); i < 0 {
		return bad("has no @ref")
	} else {
		rest, r.Version = rest[:i], rest[i+1:]
	}
	if r.Version == "" || strings.ContainsAny(r.Version, " \t\n:~^?*[\\") || strings.Contains(r.Version, "..") {
		return bad("has no valid ref after @")
	}
	if strings.HasPrefix(rest, "https://") || strings.HasPrefix(rest, "http://") {
		u, err := url.Parse(rest)
		if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return bad("is not a valid URL (no user names, queries or fragments)")
		}
		r.Server = u.Scheme + "://" + u.Host
		rest = strings.TrimPrefix(u.Path, "/")
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	if len(parts) < 2 {
		return bad("does not name owner/repo")
	}
	r.Owner, r.Repo = parts[0], strings.TrimSuffix(parts[1], ".git")
	if !nameRe.MatchString(r.Owner) || !nameRe.MatchString(r.Repo) || strings.HasPrefix(r.Owner, ".") || strings.HasPrefix(r.Repo, ".") {
		return bad("has an invalid owner or repository name")
	}
	for _, p := range parts[2:] {
		if p == "" || p == "." || p == ".." {
			return bad("has an empty, . or .. path element")
		}
	}
	r.Path = path.Join(parts[2:]...)
	return r, nil
}
