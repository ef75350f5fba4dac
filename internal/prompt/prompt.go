// Package prompt asks a person questions on a terminal (anvil register
// when a value is missing): an answer per line, a default for an empty
// one, and secrets read without echo when the input is a terminal.
//
// It decides nothing: cmd says what to ask and when asking is allowed.
package prompt

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// Prompter asks questions on out and reads the answers from in. The first
// read error sticks (Err); later questions get their default.
type Prompter struct {
	in    *bufio.Reader
	out   io.Writer
	stdin io.Reader
	err   error
}

// New returns a Prompter reading in and writing the questions to out.
func New(in io.Reader, out io.Writer) *Prompter {
	return &Prompter{in: bufio.NewReader(in), out: out, stdin: in}
}

// Err is the first read error, nil when every answer was read.
func (p *Prompter) Err() error { return p.err }

// Ask prints a question and returns the answer, or def for an empty one.
func (p *Prompter) Ask(question, def string) string {
	if p.err != nil {
		return def
	}
	if def != "" {
		fmt.Fprintf(p.out, "%s [%s]: ", question, def)
	} else {
		fmt.Fprintf(p.out, "%s: ", question)
	}
	line, err := p.in.ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		p.err = err
		return def
	}
	if line = strings.TrimSpace(line); line != "" {
		return line
	}
	return def
}

// Secret asks without echoing the answer when the input is a terminal
// file; otherwise it is Ask without a default.
func (p *Prompter) Secret(question string) string {
	f, ok := p.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || p.in.Buffered() > 0 {
		return p.Ask(question, "")
	}
	if p.err != nil {
		return ""
	}
	fmt.Fprintf(p.out, "%s: ", question)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(p.out)
	if err != nil {
		p.err = err
		return ""
	}
	return strings.TrimSpace(string(b))
}
