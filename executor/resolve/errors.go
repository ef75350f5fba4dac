package resolve

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinels classify resolution failures; test them with errors.Is.
var (
	// ErrNotFound: the repository, or the tag or branch, does not exist
	// at the source.
	ErrNotFound = errors.New("not found")
	// ErrAuth: the source refused the credentials, or wants some.
	ErrAuth = errors.New("authentication failed")
	// ErrUnreachable: the source could not be reached or answered with a
	// server error.
	ErrUnreachable = errors.New("source unreachable")
	// ErrNotCached: offline, and the cache has no copy.
	ErrNotCached = errors.New("not in the cache")
	// ErrVerify: what was fetched is not the commit the reference asked
	// for.
	ErrVerify = errors.New("verification failed")
	// ErrInvalid: the reference or what it points to cannot be used.
	ErrInvalid = errors.New("invalid reference")
)

// Error is a failure to resolve one uses: reference. Its message names
// the reference, every URL tried and what to do; it never contains the
// token.
type Error struct {
	// Uses is the reference as written.
	Uses string
	// URLs are the sources tried, in order.
	URLs []string
	// Err is the cause, wrapping one of the sentinels.
	Err error
	// Hint says what to do.
	Hint string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "resolving %s", e.Uses)
	switch len(e.URLs) {
	case 0:
	case 1:
		fmt.Fprintf(&b, " from %s", e.URLs[0])
	default:
		fmt.Fprintf(&b, " (tried %s)", strings.Join(e.URLs, ", "))
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	if e.Hint != "" {
		fmt.Fprintf(&b, "; %s", e.Hint)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// hintFor says what to do about err.
func hintFor(err error, ref Ref, offline bool) string {
	local := fmt.Sprintf("--local-repository %s@%s=DIR", ref.Repository(), ref.Version)
	switch {
	case errors.Is(err, ErrAuth):
		return "check the token (the job token of the forge, or your git credentials for anvil exec) and that it may read the repository"
	case errors.Is(err, ErrNotCached):
		if offline {
			return "run once without --offline to fill the action cache, or give " + local
		}
		return "give " + local
	case errors.Is(err, ErrUnreachable):
		return "check the network and the URL, mirror the repository (--action-mirror URL), or run with --offline from a warm cache"
	case errors.Is(err, ErrVerify):
		return "the source serves other content than the pinned commit: check the mirror, or pin another commit"
	case errors.Is(err, ErrNotFound) && ref.PinnedSHA():
		return "check that the commit exists in the repository, or mirror it (--action-mirror URL)"
	case errors.Is(err, ErrNotFound):
		return "check the name and the version, pin an existing tag or a full commit SHA, mirror it (--action-mirror URL) or give " + local
	}
	return ""
}
