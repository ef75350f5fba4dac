package expr

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
)

// hashFilesError carries a hashFiles failure through act's interpreter so
// that run can report it with its cause intact.
type hashFilesError struct{ err error }

func (e *hashFilesError) Error() string { return e.err.Error() }
func (e *hashFilesError) Unwrap() error { return e.err }

// hashFilesValues is act's HashFiles hook: it checks the evaluated
// arguments and hashes the files they match under the workspace.
func (c *Contexts) hashFilesValues(args []reflect.Value) (any, error) {
	patterns := make([]string, 0, len(args))
	for i, arg := range args {
		if arg.Kind() != reflect.String {
			return nil, &hashFilesError{err: fmt.Errorf("hashFiles argument %d is %s, not a string: pass glob patterns such as '**/go.sum'", i+1, kindName(arg))}
		}
		patterns = append(patterns, arg.String())
	}
	sum, err := hashFiles(c.Workspace, patterns)
	if err != nil {
		return nil, &hashFilesError{err: err}
	}
	return sum, nil
}

// kindName names the type of an evaluated value for messages.
func kindName(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Invalid:
		return "null"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "an array"
	}
	return "an object"
}

// hashFiles is GitHub's hashFiles: the files under workspace that the
// patterns match, in sorted order, are each hashed with SHA-256, and the
// result is the hex SHA-256 of those digests concatenated. It returns ""
// when no file matches.
func hashFiles(workspace string, patterns []string) (string, error) {
	if workspace == "" {
		return "", errors.New("hashFiles needs a workspace: set Contexts.Workspace to the checkout directory")
	}
	globs, err := parseGlobs(workspace, patterns)
	if err != nil {
		return "", err
	}
	files, err := matchFiles(workspace, globs)
	if err != nil {
		return "", err
	}
	if len(files) == 0 {
		return "", nil
	}
	all := sha256.New()
	for _, file := range files {
		sum, err := hashFile(filepath.Join(workspace, filepath.FromSlash(file)))
		if err != nil {
			return "", err
		}
		all.Write(sum)
	}
	return hex.EncodeToString(all.Sum(nil)), nil
}

// hashFile returns the SHA-256 digest of a file's content.
func hashFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("hashFiles: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("hashFiles: reading %s: %w", name, err)
	}
	return h.Sum(nil), nil
}
