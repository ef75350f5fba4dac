package cache

import (
	"errors"
	"fmt"
	"net/http"
)

// apiError is a refusal the client is told about: an HTTP status, the
// matching twirp error code, and a message that says what to do.
type apiError struct {
	status int
	twirp  string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func refusef(status int, twirp, format string, args ...any) error {
	return &apiError{status: status, twirp: twirp, msg: fmt.Sprintf(format, args...)}
}

func conflictf(format string, args ...any) error {
	return refusef(http.StatusConflict, "already_exists", format, args...)
}

func notFoundf(format string, args ...any) error {
	return refusef(http.StatusNotFound, "not_found", format, args...)
}

func badRequestf(format string, args ...any) error {
	return refusef(http.StatusBadRequest, "invalid_argument", format, args...)
}

func unauthorized(err error) error {
	return &apiError{status: http.StatusUnauthorized, twirp: "unauthenticated", msg: err.Error()}
}

// status returns the HTTP status, twirp code and client message of err;
// anything but a refusal is an internal error whose details stay in the
// server's log.
func status(err error) (int, string, string, bool) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.status, ae.twirp, ae.msg, true
	}
	return http.StatusInternalServerError, "internal", "the cache server failed to store or read the entry; see its log", false
}
