package gitctx

import (
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// DefaultServerURL is the server_url used when origin is not an http(s)
// remote: a local Forgejo's address.
const DefaultServerURL = "http://localhost:3000"

// Remote is what a remote URL says about the repository.
type Remote struct {
	// Repository is owner/name; "" when the URL does not name one.
	Repository string
	// ServerURL is scheme://host[:port] for http(s) remotes, else "".
	ServerURL string
}

// scpLike matches git's scp-like syntax: [user@]host:path. It is
// compiled on first use, so that commands which never read a remote (anvil
// version) do not pay for it at start-up.
var scpLike = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:[^@/]+@)?([^:/]+):(.+)$`)
})

// ParseRemote reads an origin URL: https://host/owner/name.git,
// ssh://git@host:2222/owner/name, git@host:owner/name.git. Credentials in
// the URL are dropped.
func ParseRemote(raw string) Remote {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return Remote{}
	}
	var path string
	var r Remote
	if u, err := url.Parse(raw); err == nil && u.Scheme != "" && u.Host != "" {
		path = u.Path
		if u.Scheme == "http" || u.Scheme == "https" {
			r.ServerURL = u.Scheme + "://" + u.Host
		}
	} else if m := scpLike().FindStringSubmatch(raw); m != nil && !filepath.IsAbs(raw) {
		path = m[2]
	} else {
		return Remote{}
	}
	parts := strings.Split(strings.Trim(strings.TrimSuffix(strings.Trim(path, "/"), ".git"), "/"), "/")
	if len(parts) >= 2 && parts[len(parts)-2] != "" && parts[len(parts)-1] != "" {
		r.Repository = parts[len(parts)-2] + "/" + parts[len(parts)-1]
	}
	return r
}
