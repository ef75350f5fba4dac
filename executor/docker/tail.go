package docker

import (
	"bytes"
	"strings"
)

// tailBuffer keeps the last lines written to it, for error messages.
type tailBuffer struct {
	lines []string
	part  []byte
}

const tailLines = 20

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.part = append(t.part, p...)
	for {
		i := bytes.IndexByte(t.part, '\n')
		if i < 0 {
			break
		}
		t.lines = append(t.lines, string(t.part[:i]))
		t.part = t.part[i+1:]
		if len(t.lines) > tailLines {
			t.lines = t.lines[len(t.lines)-tailLines:]
		}
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	lines := t.lines
	if len(t.part) > 0 {
		lines = append(lines, string(t.part))
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
