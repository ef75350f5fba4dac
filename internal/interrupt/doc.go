// Package interrupt is how anvil stops on Ctrl-C and SIGTERM: the first
// interrupt cancels the command's context (cancelled() and always() steps
// and post steps still run), the second calls what the command registered
// with OnKill (the engines' Kill) or exits, the third exits.
//
// cmd's Main calls Cancel with the process's signals; the commands
// register their kill functions and notes on the context. It knows
// nothing of runs, engines or daemons.
package interrupt
