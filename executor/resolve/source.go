package resolve

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// DefaultSource is where owner/repo references come from when no source
// is configured.
const DefaultSource = "https://github.com"

// normalizeBase checks a base URL (a forge, a mirror) and drops a trailing
// slash. User names and passwords in it are refused: they would end up in
// logs.
func normalizeBase(what, raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file") || (u.Scheme != "file" && u.Host == "") {
		return "", fmt.Errorf("%s %q is not an http(s) URL: write it like https://code.forgejo.org", what, raw)
	}
	if u.User != nil {
		return "", fmt.Errorf("%s %q contains credentials: remove them and pass the token separately", what, u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%s %q must not have a query or fragment", what, raw)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

// sourceURLs gives the repository URLs to try for ref, in order: the
// mirror replaces every source; a URL-form reference names its server;
// owner/repo references try each configured source.
func (r *Resolver) sourceURLs(ref Ref) []string {
	repo := "/" + ref.Owner + "/" + ref.Repo
	switch {
	case r.cfg.Mirror != "":
		return []string{r.cfg.Mirror + repo}
	case ref.Server != "":
		return []string{ref.Server + repo}
	}
	out := make([]string, 0, len(r.cfg.Sources))
	for _, s := range r.cfg.Sources {
		out = append(out, s+repo)
	}
	return out
}

// underURL reports whether u is base or below it, on path-segment
// boundaries (https://forge.example/x is not under https://forge.ex).
func underURL(u, base string) bool {
	if base == "" {
		return false
	}
	base = strings.TrimSuffix(base, "/")
	return u == base || strings.HasPrefix(u, base+"/")
}

// localOverride is one --local-repository entry.
type localOverride struct {
	ref Ref
	dir string
}

// parseLocal reads "owner/repo@ref=DIR" or "https://host/owner/repo@ref=DIR".
func parseLocal(key, dir string) (localOverride, error) {
	ref, err := ParseRef(key)
	if err != nil {
		return localOverride{}, fmt.Errorf("local repository %q: %w", key, err)
	}
	if ref.Path != "" {
		return localOverride{}, fmt.Errorf("local repository %q names a path inside the repository: give only owner/repo@ref", key)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return localOverride{}, fmt.Errorf("local repository %q: %w", key, err)
	}
	return localOverride{ref: ref, dir: abs}, nil
}

// matches reports whether the override stands for ref: same repository
// (case-insensitive, as forges treat names) and version and, when the
// override names a server, the same server (ref's own, or for owner/repo
// references one of the sources).
func (l localOverride) matches(ref Ref, sources []string) bool {
	if !strings.EqualFold(l.ref.Repository(), ref.Repository()) || l.ref.Version != ref.Version {
		return false
	}
	if l.ref.Server == "" {
		return true
	}
	if ref.Server != "" {
		return strings.EqualFold(l.ref.Server, ref.Server)
	}
	for _, s := range sources {
		if strings.EqualFold(l.ref.Server, s) {
			return true
		}
	}
	return false
}

// cacheKey turns a repository URL into a relative path for its ref map:
// host (port after an underscore) and path.
func cacheKey(repoURL string) string {
	u, err := url.Parse(repoURL)
	if err != nil {
		return "invalid"
	}
	host := strings.ReplaceAll(u.Host, ":", "_")
	if host == "" {
		host = u.Scheme
	}
	var parts []string
	for _, p := range strings.Split(u.Path, "/") {
		if p != "" && p != "." && p != ".." {
			parts = append(parts, p)
		}
	}
	return filepath.Join(append([]string{host}, parts...)...)
}
