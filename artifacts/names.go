package artifacts

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"path"
	"strings"
)

// invalidNameChars are the characters @actions/artifact refuses in an
// artifact name (path-and-artifact-name-validation.ts), which Gitea checks
// too.
const invalidNameChars = "\\/\":<>|*?\r\n"

//lint:ignore ST1005 Gitea answers with these exact words, and clients show them
var errInvalidName = errors.New("Error checking artifact name contains invalid character")

// validName checks an artifact name as Gitea does, and also refuses the
// names that are not one path element (empty, "." and ".."): clients use
// the name as a directory.
func validName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, invalidNameChars) {
		return errInvalidName
	}
	return nil
}

// nameHash is the hex MD5 of a name: v3 URLs carry it in place of the
// name.
func nameHash(name string) string {
	sum := md5.Sum([]byte(name))
	return hex.EncodeToString(sum[:])
}

// joinRel joins path elements as Gitea's util.PathJoinRelX: backslashes
// are slashes, each element is cleaned as if rooted, so no ".." survives
// and the result never leaves its root.
func joinRel(elems ...string) string {
	cleaned := make([]string, 0, len(elems))
	for _, e := range elems {
		if e != "" {
			cleaned = append(cleaned, path.Clean("/"+strings.ReplaceAll(e, "\\", "/")))
		}
	}
	switch p := path.Join(cleaned...); p {
	case "":
		return ""
	case "/":
		return "."
	default:
		return p[1:]
	}
}
