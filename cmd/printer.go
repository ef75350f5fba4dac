package cmd

import (
	"io"

	"codeberg.org/anvil-ci/anvil/executor"
)

// printer is a Sink for the user: it prints events as they come and, in
// Finish, whatever belongs after the run. Emit is safe for concurrent use.
type printer interface {
	executor.Sink
	// Finish prints the closing summary once the run is over.
	Finish()
}

// printerKind says how events are printed.
type printerKind int

const (
	printPlain printerKind = iota
	printTerminal
	printJSON
)

// choosePrinter picks --json, else the terminal printer when stdout is a
// terminal, else plain lines. Colours follow the terminal and NO_COLOR.
func choosePrinter(proc Process, jsonOut bool) printer {
	return newPrinter(proc.Stdout, kindFor(proc, jsonOut), style{color: proc.Terminal && proc.getenv("NO_COLOR") == ""})
}

// kindFor is the printer kind for proc and --json.
func kindFor(proc Process, jsonOut bool) printerKind {
	switch {
	case jsonOut:
		return printJSON
	case proc.Terminal:
		return printTerminal
	}
	return printPlain
}

// newPrinter returns the printer of kind writing to w.
func newPrinter(w io.Writer, kind printerKind, st style) printer {
	switch kind {
	case printJSON:
		return newJSONPrinter(w)
	case printTerminal:
		return newTermPrinter(w, st)
	}
	return newPlainPrinter(w)
}
