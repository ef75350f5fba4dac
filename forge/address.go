package forge

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
)

// RedactURL returns address with any user:password@ replaced by ***@, for
// printing: a credential written into a URL never appears in output. A
// string that is not a URL is returned unchanged.
func RedactURL(address string) string {
	scheme, rest, ok := strings.Cut(address, "://")
	if !ok {
		return address
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return address
	}
	return scheme + "://***@" + rest[at+1:]
}

// AddressWarning returns a warning when address is a plain http:// URL to
// a host other than this machine, where the runner's token and every job's
// secrets would cross the network unencrypted, and "" otherwise.
func AddressWarning(address string) string {
	u, err := url.Parse(address)
	if err != nil || !strings.EqualFold(u.Scheme, "http") || isLoopback(u.Hostname()) {
		return ""
	}
	return fmt.Sprintf("the forge address %s is plain http:// to %s, another machine: the runner token and job secrets travel unencrypted; use https://", RedactURL(address), u.Hostname())
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RunnerFileWarnings checks the registration f read from path and returns
// what the operator should fix: a file that others may read (the token in
// it is the runner's credential) and a plain-http forge address.
func RunnerFileWarnings(path string, f RunnerFile) []string {
	var out []string
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		out = append(out, fmt.Sprintf("the runner file %s has mode %04o: others on this machine can read the runner's token; restrict it with chmod 600 %s", path, fi.Mode().Perm(), path))
	}
	if w := AddressWarning(f.Address); w != "" {
		out = append(out, w)
	}
	return out
}
