package executor

import (
	"net"
	"net/url"
	"strings"
)

// Runtime is what every job is given to reach the services beside the
// forge's runner protocol: the artifact and cache APIs (ACTIONS_RUNTIME_URL,
// ACTIONS_RESULTS_URL, ACTIONS_RUNTIME_TOKEN, ACTIONS_CACHE_URL, ...).
type Runtime struct {
	// Env is set in every process of every job, after the GITHUB_* and
	// RUNNER_* variables and before the workflow's, job's and step's env,
	// which may override it. It is not part of the env context.
	//
	// A value that is an http(s) URL on a loopback host (127.0.0.1,
	// localhost, ::1) is rewritten for a job whose environment reaches
	// this machine at another address (HostAddresser), such as a
	// container on a bridge network: the host becomes that address, the
	// port stays. So a service listening on every interface of this
	// machine is reachable from host and container jobs alike.
	Env map[string]string
	// Credentials are values, or parts of values, of Env that are masked
	// in every log line (the runtime token, the cache credential).
	Credentials []string
}

// HostAddresser is an optional ability of an Environment: the address
// (an IP or a host name) at which its processes reach the machine anvil
// runs on, or "" when they reach it on loopback (the host backend, a
// container on the host's network).
type HostAddresser interface {
	HostAddress() string
}

// runtimeEnv returns env as the processes of an environment reach it:
// loopback URLs rewritten to addr ("" keeps them).
func runtimeEnv(env map[string]string, addr string) map[string]string {
	out := make(map[string]string, len(env))
	for k, v := range env {
		out[k] = reachableURL(v, addr)
	}
	return out
}

// reachableURL replaces the host of an http(s) URL on a loopback host with
// addr; anything else is returned unchanged.
func reachableURL(v, addr string) string {
	if addr == "" || !(strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://")) {
		return v
	}
	u, err := url.Parse(v)
	if err != nil || u.User != nil || !isLoopback(u.Hostname()) {
		return v
	}
	if p := u.Port(); p != "" {
		u.Host = net.JoinHostPort(addr, p)
	} else if strings.Contains(addr, ":") {
		u.Host = "[" + addr + "]"
	} else {
		u.Host = addr
	}
	return u.String()
}

// isLoopback reports whether host names this machine's loopback.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
