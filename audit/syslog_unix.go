//go:build unix

package audit

import (
	"fmt"
	"io"
	"log/syslog"
	"net/url"
)

// syslogPriority is what audit records are sent as.
const syslogPriority = syslog.LOG_INFO | syslog.LOG_AUTH

// dialSyslog connects to target: "local", or udp://, tcp://, unix:// and
// unixgram:// URLs.
func dialSyslog(target string) (io.WriteCloser, error) {
	if target == "local" {
		return syslog.New(syslogPriority, "anvil-audit")
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("write local, udp://host:port, tcp://host:port or unix:///dev/log: %w", err)
	}
	addr := u.Host
	switch u.Scheme {
	case "udp", "tcp":
		if u.Port() == "" {
			addr += ":514"
		}
	case "unix", "unixgram":
		addr = u.Path
	default:
		return nil, fmt.Errorf("unknown scheme %q: write local, udp://host:port, tcp://host:port or unix:///dev/log", u.Scheme)
	}
	return syslog.Dial(u.Scheme, addr, syslogPriority, "anvil-audit")
}
