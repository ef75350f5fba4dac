package argocd

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

var (
	// ErrUnauthenticated means Argo CD refused the token or the login
	// (HTTP 401). It is never retried: the token expired, was revoked, or
	// is wrong.
	ErrUnauthenticated = errors.New("argo cd refused the credentials")
	// ErrInProgress means another operation is already running on the
	// application.
	ErrInProgress = errors.New("another operation is already in progress")
	// ErrTimeout means a wait ran out of time.
	ErrTimeout = errors.New("timed out")
	// ErrFailed means the operation or the application ended in a state
	// that will not become what was asked for (a failed sync, a degraded
	// application).
	ErrFailed = errors.New("deployment failed")
)

// APIError is an error answer of Argo CD's API; Message is the server's
// own words.
type APIError struct {
	Method string
	Path   string
	Status int
	// Code is the gRPC code in the answer (0 when the body was not
	// Argo CD's JSON, e.g. a proxy's page).
	Code    int32
	Message string
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("argo cd answered %d to %s %s: %q", e.Status, e.Method, e.Path, msg)
}

// Is makes errors.Is(err, ErrUnauthenticated) and ErrInProgress work.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthenticated:
		return e.Status == http.StatusUnauthorized
	case ErrInProgress:
		return strings.Contains(strings.ToLower(e.Message), "another operation is already in progress")
	}
	return false
}

// Transient reports answers worth retrying: the server or a proxy in
// front of it is restarting or overloaded.
func (e *APIError) Transient() bool {
	switch e.Status {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout, http.StatusTooManyRequests:
		return true
	}
	return false
}

// transient reports errors a wait should ride out: transient answers and
// failures to reach the server at all.
func transient(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Transient()
	}
	var ne *netError
	return errors.As(err, &ne)
}

// netError wraps a failure to talk to the server (connection refused,
// reset, TLS, a body cut short).
type netError struct{ err error }

func (e *netError) Error() string { return e.err.Error() }
func (e *netError) Unwrap() error { return e.err }

// hint says what to do about an API error, or "".
func hint(err error) string {
	var ae *APIError
	if !errors.As(err, &ae) {
		return ""
	}
	msg := strings.ToLower(ae.Message)
	switch {
	case ae.Status == http.StatusUnauthorized:
		return "the token is expired, revoked or wrong, or the username/password is wrong: create a new token (argocd account generate-token) and update the secret"
	case strings.Contains(msg, "auto-sync currently set to"):
		return "the application syncs automatically: push the change to its git repository (gitops-promote) and wait for that revision with argocd-wait instead"
	case strings.Contains(msg, "sync window"):
		return "a sync window blocks syncs now: wait for it to open, or ask for a manual-sync window"
	case ae.Status == http.StatusForbidden:
		return "the account lacks permission: grant it applications, sync (and get) in the project's RBAC"
	case ae.Status == http.StatusNotFound:
		return "check the application name and its namespace (app: namespace/name)"
	}
	return ""
}

// withHint appends the hint for err, if any.
func withHint(err error) error {
	if h := hint(err); h != "" {
		return fmt.Errorf("%w; %s", err, h)
	}
	return err
}
