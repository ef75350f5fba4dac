package executor

import (
	"maps"
	"runtime"
	"sort"
	"strings"

	"codeberg.org/anvil-ci/anvil/pipeline/expr"
)

// hostEnvAllowed lists the variables of anvil's own environment that jobs
// inherit. Everything else (tokens, cloud credentials, the user's shell
// customisations) stays out of jobs.
var hostEnvAllowed = []string{
	"PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TERM", "TZ",
	"TMPDIR", "HOSTNAME", "SSL_CERT_FILE", "SSL_CERT_DIR",
	"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
	"DOCKER_HOST", "XDG_RUNTIME_DIR", "GOPATH", "GOROOT", "GOCACHE", "GOMODCACHE", "GOPROXY",
}

// HostEnv picks from environ (os.Environ() form) the variables a job may
// inherit: an allowlist plus LC_* locale settings.
func HostEnv(environ []string) map[string]string {
	allowed := make(map[string]bool, len(hostEnvAllowed))
	for _, k := range hostEnvAllowed {
		allowed[k] = true
	}
	out := map[string]string{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		if allowed[k] || strings.HasPrefix(k, "LC_") {
			out[k] = v
		}
	}
	return out
}

// runnerOS is the runner.os value GitHub uses for this platform.
func runnerOS() string {
	switch runtime.GOOS {
	case "linux":
		return "Linux"
	case "darwin":
		return "macOS"
	case "windows":
		return "Windows"
	}
	return runtime.GOOS
}

// runnerArch is the runner.arch value GitHub uses for this platform.
func runnerArch() string {
	switch runtime.GOARCH {
	case "amd64":
		return "X64"
	case "386":
		return "X86"
	case "arm64":
		return "ARM64"
	case "arm":
		return "ARM"
	}
	return strings.ToUpper(runtime.GOARCH)
}

// environ turns a map into a sorted KEY=VALUE list.
func environ(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// merged returns a new map with every map applied in order, later winning.
func merged(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		maps.Copy(out, m)
	}
	return out
}

// githubString reads a string key of the github context.
func githubString(g map[string]any, key string) string {
	if v, ok := g[key]; ok && v != nil {
		if s, ok := v.(string); ok {
			return s
		}
		return expr.ToString(v)
	}
	return ""
}

// isTrue reads a boolean written as YAML or expression text ("true",
// "True", "TRUE").
func isTrue(v string) bool {
	return strings.EqualFold(strings.TrimSpace(v), "true")
}
