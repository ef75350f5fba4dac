package cmd

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// git runs git commands in one directory.
type git struct{ dir string }

// run runs git with args and returns its trimmed stdout.
func (g git) run(ctx context.Context, args ...string) (string, error) {
	c := exec.CommandContext(ctx, "git", args...)
	c.Dir = g.dir
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}
