//go:build !unix

package audit

import (
	"errors"
	"io"
)

// dialSyslog fails: there is no syslog here.
func dialSyslog(string) (io.WriteCloser, error) {
	return nil, errors.New("syslog forwarding is not available on this system; leave audit.syslog empty")
}
