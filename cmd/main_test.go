package cmd

import (
	"bytes"
	"path/filepath"
	"testing"

	"codeberg.org/anvil-ci/anvil/internal/testkit/golden"
)

// checkGolden compares got with testdata/name, or rewrites the file with
// -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got)
}

// testProcess is a Process writing to buffers with env as its environment.
func testProcess(env map[string]string) (Process, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	lookup := func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
	environ := func() []string {
		var out []string
		for k, v := range env {
			out = append(out, k+"="+v)
		}
		return out
	}
	return Process{
		Stdout:    &stdout,
		Stderr:    &stderr,
		LookupEnv: lookup,
		Environ:   environ,
		Exit:      func(code int) { panic("unexpected Exit") },
	}, &stdout, &stderr
}
