// Package console is what anvil prints for a person or a tool: the
// printers of a run's executor events (Terminal: progress with folded
// ::group:: blocks, colours and a closing summary with the step summaries'
// Markdown rendered; Plain: one greppable line per event; JSON: one event
// per line), and the text and JSON forms of lint findings, of the problems
// and of the job list of anvil exec -l, and the report of anvil policy test.
//
// It consumes executor.Event values and pipeline and lint results; it
// runs, reads and decides nothing. cmd picks a printer (Choose) from the
// flags and the terminal and hands it to the engine as its Sink.
package console
