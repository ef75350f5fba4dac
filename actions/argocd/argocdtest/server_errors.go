package argocdtest

import "net/http"

// gRPC status codes Argo CD's API answers with, and how its gateway maps
// them to HTTP statuses.
const (
	codeUnknown            = 2
	codeInvalidArgument    = 3
	codeNotFound           = 5
	codePermissionDenied   = 7
	codeFailedPrecondition = 9
	codeUnavailable        = 14
	codeUnauthenticated    = 16
)

// apiError is an error answer: a gRPC code and Argo CD's message.
type apiError struct {
	code    int32
	message string
}

func (e *apiError) Error() string { return e.message }

// httpStatus is the HTTP status Argo CD's gateway gives e's code.
func (e *apiError) httpStatus() int {
	switch e.code {
	case codeInvalidArgument, codeFailedPrecondition:
		return http.StatusBadRequest
	case codeNotFound:
		return http.StatusNotFound
	case codePermissionDenied:
		return http.StatusForbidden
	case codeUnauthenticated:
		return http.StatusUnauthorized
	case codeUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

func errorf(code int32, msg string) *apiError {
	return &apiError{code: code, message: msg}
}
