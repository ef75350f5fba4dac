package forge

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"connectrpc.com/connect"
)

// The classes of a failed call; check them with errors.Is. An error of
// none of these classes (and not a cancelled context) is fatal for that
// call: the same request will fail again.
var (
	// ErrUnregistered: the forge does not know the runner (deleted there, or
	// the .runner file belongs to another forge). Stop polling.
	ErrUnregistered = errors.New("the forge does not know this runner (deleted there, or registered with another forge); register it again with anvil register")
	// ErrBadRegistrationToken: Register was given a registration token the
	// forge does not have (or has invalidated).
	ErrBadRegistrationToken = errors.New("the forge rejected the registration token; copy a current one from the forge's runner settings")
	// ErrRetryable: the network failed, the forge answered 5xx or 503, was
	// busy, or the call's deadline passed. See each method for whether
	// retrying is safe.
	ErrRetryable = errors.New("temporary failure talking to the forge; try again later")
	// ErrUnimplemented: the forge does not serve this call (an older
	// Forgejo/Gitea for Declare, or a wrong instance address).
	ErrUnimplemented = errors.New("the forge does not serve this call (an older Forgejo or Gitea, or not the instance's base URL)")
)

// callError is a failed call: what was being done, its class (nil when
// fatal or cancelled) and the cause.
type callError struct {
	op    string
	class error
	err   error
}

func (e *callError) Error() string {
	if e.class == nil {
		return fmt.Sprintf("%s: %v", e.op, e.err)
	}
	return fmt.Sprintf("%s: %v: %v", e.op, e.class, e.err)
}

func (e *callError) Unwrap() []error {
	if e.class == nil {
		return []error{e.err}
	}
	return []error{e.class, e.err}
}

// wrap classifies err from the connect client; nil stays nil.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return &callError{op: op, class: classify(err), err: err}
}

// Texts the forges put in error messages. They answer auth failures and
// most other errors as HTTP 500 with connect code "unknown", so only the
// message tells them apart (see PROTOCOL.md).
const (
	textUnregistered = "unregistered runner"
	textMissingField = "missing runner token, name"
)

// badTokenTexts say Register's token is unknown, invalidated, or belongs to
// an owner or repository that is gone.
var badTokenTexts = []string{
	"runner registration token not found",
	"registration token has been invalidated",
	"owner of the token not found",
	"repository of the token not found",
}

// grpcText matches a gRPC status error that a forge handler returned and
// connect wrapped as code unknown: "rpc error: code = X desc = ...".
var grpcText = regexp.MustCompile(`rpc error: code = (\w+) desc = `)

// permanentGRPC are the wrapped gRPC codes that mean the request itself
// is wrong, so retrying cannot help (e.g. AlreadyExists: "log file has been
// archived" after the log was closed).
var permanentGRPC = map[string]bool{
	"InvalidArgument": true, "NotFound": true, "AlreadyExists": true,
	"PermissionDenied": true, "FailedPrecondition": true, "OutOfRange": true,
	"Unimplemented": true, "Unauthenticated": true,
}

// classify returns the class of a connect client error, nil for fatal or
// cancelled.
func classify(err error) error {
	msg := err.Error()
	switch {
	case errors.Is(err, context.Canceled):
		return nil
	case strings.Contains(msg, textUnregistered):
		return ErrUnregistered
	case slices.ContainsFunc(badTokenTexts, func(text string) bool { return strings.Contains(msg, text) }):
		return ErrBadRegistrationToken
	case strings.Contains(msg, textMissingField):
		return nil
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return ErrRetryable
	}
	switch connect.CodeOf(err) {
	case connect.CodeUnimplemented:
		return ErrUnimplemented
	case connect.CodeUnavailable, connect.CodeResourceExhausted, connect.CodeAborted, connect.CodeDeadlineExceeded:
		return ErrRetryable
	case connect.CodeCanceled:
		// Not our context (checked above): connect reports a connection
		// reset by the server as canceled.
		return ErrRetryable
	case connect.CodeUnknown, connect.CodeInternal, connect.CodeDataLoss:
		// HTTP 500: a server-side failure, retryable unless the forge's
		// wrapped gRPC code says the request itself is wrong.
		if m := grpcText.FindStringSubmatch(msg); m != nil && permanentGRPC[m[1]] {
			return nil
		}
		return ErrRetryable
	}
	return nil
}
