package expr

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrInvalid marks an expression that can never evaluate, whatever the
// contexts hold: bad syntax, an unknown context or function, or a function
// called with the wrong number of arguments. A workflow linter can report
// these before anything runs.
var ErrInvalid = errors.New("invalid expression")

// Error is returned for an expression that failed to parse or evaluate. It
// names the expression so that the user can find it in the workflow.
type Error struct {
	// Expression is the expression as written, without ${{ }}.
	Expression string
	// Err says why it failed. It wraps ErrInvalid for problems that do not
	// depend on the contexts.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	return "evaluating ${{ " + e.Expression + " }}: " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// invalidError is a static problem with an expression: it says what is
// wrong and matches ErrInvalid.
type invalidError struct{ msg string }

func (e *invalidError) Error() string        { return e.msg }
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }

// lowerFirst turns act's capitalised messages ("Invalid JSON: ...") into the
// lower-case phrases our errors use, leaving acronyms ("JSON ...") alone.
func lowerFirst(msg string) string {
	first, n := utf8.DecodeRuneInString(msg)
	second, _ := utf8.DecodeRuneInString(msg[n:])
	if !unicode.IsUpper(first) || !unicode.IsLower(second) {
		return msg
	}
	return strings.ToLower(msg[:n]) + msg[n:]
}
