// Command docgen (under cmd/, since only cmd may import cmd) writes Anvil's CLI reference, one Markdown page per
// command, from the cobra command tree. make docs runs it as
//
//	go run ./cmd/internal/docgen docs/cli
//
// The pages depend only on the code: the commands are built with an empty
// environment and a fixed clock, and cobra's "Auto generated on DATE" line
// is off. TestCLIDocsCurrent fails when docs/cli differs from what this
// writes.
package main

import (
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"codeberg.org/anvil-ci/anvil/cmd"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./cmd/internal/docgen DIR (make docs writes docs/cli)")
		os.Exit(2)
	}
	if err := generate(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
}

// root builds the anvil command tree independently of the machine: no
// environment, no terminal, a fixed clock and no executable path.
func root() *cobra.Command {
	proc := cmd.Process{
		Stdout:    io.Discard,
		Stderr:    io.Discard,
		Stdin:     strings.NewReader(""),
		LookupEnv: func(string) (string, bool) { return "", false },
		Environ:   func() []string { return nil },
		Exit:      func(int) {},
		Now:       func() time.Time { return time.Unix(0, 0).UTC() },
	}
	r := cmd.NewRoot(proc)
	r.DisableAutoGenTag = true
	return r
}

// generate replaces the Markdown files in dir with one page per command.
func generate(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	old, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read %s: %w", dir, err)
	}
	for _, e := range old {
		if strings.HasSuffix(e.Name(), ".md") {
			if err := os.Remove(path.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("remove stale page: %w", err)
			}
		}
	}
	identity := func(string) string { return "" }
	link := func(name string) string { return name }
	if err := doc.GenMarkdownTreeCustom(root(), dir, identity, link); err != nil {
		return fmt.Errorf("write the CLI reference into %s: %w", dir, err)
	}
	return nil
}
