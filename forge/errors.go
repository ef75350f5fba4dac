package forge

import (
	"context"
	"crypto/tls"
	"crypto/x509"
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
// fatal or cancelled), the cause and what to do about it ("" when the
// cause says it all).
type callError struct {
	op    string
	class error
	err   error
	hint  string
}

func (e *callError) Error() string {
	msg := fmt.Sprintf("%s: %v", e.op, e.err)
	if e.class != nil {
		msg = fmt.Sprintf("%s: %v: %v", e.op, e.class, e.err)
	}
	if e.hint != "" {
		msg += "; " + e.hint
	}
	return msg
}

func (e *callError) Unwrap() []error {
	if e.class == nil {
		return []error{e.err}
	}
	return []error{e.class, e.err}
}

// wrap classifies err from the connect client and says what to do about
// the causes that are not the forge's own answer; nil stays nil.
func (c *ConnectClient) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return &callError{op: op, class: classify(err), err: err, hint: c.hint(err)}
}

// hint says what to do about err, or "".
func (c *ConnectClient) hint(err error) string {
	var (
		redirect *redirectError
		unknown  x509.UnknownAuthorityError
		verify   *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &redirect):
		return "anvil does not follow redirects, which would take the runner's token along: set the forge address (the .runner file's address) to the URL the forge answers at, or fix the proxy that redirects"
	case errors.As(err, &unknown), errors.As(err, &verify):
		return "the forge's TLS certificate is not trusted: add the CA that signed it to this machine's trust store (or point SSL_CERT_FILE at it), or set runner.insecure: true to skip the check"
	case connect.CodeOf(err) == connect.CodeResourceExhausted && !isWireError(err):
		return fmt.Sprintf("the forge's reply is larger than anvil accepts (%d bytes); it is retried, and a forge or proxy that keeps sending it needs fixing", c.cfg.MaxReplyBytes)
	case strings.HasPrefix(c.cfg.Address, "http://") && strings.Contains(err.Error(), "400 Bad Request"):
		return "an HTTPS server answers a plain-HTTP call so: if the forge speaks https, use https:// in the forge address"
	case !isWireError(err) && (strings.Contains(err.Error(), "unmarshal") || strings.Contains(err.Error(), "unexpected EOF")):
		return "the forge's reply could not be read (cut short or garbled on the way); it is retried"
	}
	return ""
}

// isWireError reports whether err is an error the forge sent, rather
// than one about its reply (too large, not protobuf, cut short).
func isWireError(err error) bool {
	var ce *connect.Error
	return errors.As(err, &ce) && connect.IsWireError(ce)
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
	var redirect *redirectError
	if errors.As(err, &redirect) {
		// A proxy's redirect can be passing (maintenance); the hint says
		// what to fix when it is not.
		return ErrRetryable
	}
	if code := connect.CodeOf(err); !isWireError(err) && (code == connect.CodeInvalidArgument || code == connect.CodeInternal) {
		// A reply the client could not read (not protobuf, cut short):
		// the request was fine, the next try may get a whole reply.
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
