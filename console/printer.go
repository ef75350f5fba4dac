package console

import (
	"io"

	"codeberg.org/anvil-ci/anvil/executor"
)

// Printer is a Sink for the user: it prints events as they come and, in
// Finish, whatever belongs after the run. Emit is safe for concurrent use.
type Printer interface {
	executor.Sink
	// Finish prints the closing summary once the run is over.
	Finish()
}

// Kind says how events are printed.
type Kind int

const (
	// Plain prints one greppable line per event.
	Plain Kind = iota
	// Terminal shows progress for a person: folded groups, colours, a
	// summary at the end.
	Terminal
	// JSON prints one JSON event per line.
	JSON
)

// Output is where the events go and what the user asked for.
type Output struct {
	// JSON is --json.
	JSON bool
	// Terminal reports that the writer is a terminal.
	Terminal bool
	// NoColor is set when NO_COLOR is.
	NoColor bool
}

// Choose picks JSON when asked, else the terminal printer on a terminal,
// else plain lines. Colours follow the terminal and NO_COLOR.
func Choose(w io.Writer, o Output) Printer {
	kind := Plain
	switch {
	case o.JSON:
		kind = JSON
	case o.Terminal:
		kind = Terminal
	}
	return New(w, kind, Style{Color: o.Terminal && !o.NoColor})
}

// New returns the printer of kind writing to w.
func New(w io.Writer, kind Kind, st Style) Printer {
	switch kind {
	case JSON:
		return newJSONPrinter(w)
	case Terminal:
		return newTermPrinter(w, st)
	}
	return newPlainPrinter(w)
}
