package cmd

import (
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"
)

// Process is what the commands take from the operating system. Main's
// caller fills it from os (see OSProcess); tests fill it by hand.
type Process struct {
	Stdout io.Writer
	Stderr io.Writer
	// Stdin is read by prompts (anvil register); StdinTerminal reports
	// that it is a terminal, which allows prompting.
	Stdin         io.Reader
	StdinTerminal bool
	// LookupEnv reads anvil's own environment: -s NAME, NO_COLOR, USER.
	LookupEnv func(key string) (string, bool)
	// Environ lists anvil's environment as KEY=VALUE; jobs start from the
	// part of it executor.HostEnv lets through.
	Environ func() []string
	// Terminal reports that Stdout is a terminal, which selects the
	// terminal progress printer.
	Terminal bool
	// Interrupts delivers Ctrl-C and SIGTERM. The first cancels the run,
	// the second calls Exit. Nil means no interrupts.
	Interrupts <-chan os.Signal
	// Exit ends the process at once.
	Exit func(code int)
	// Now is the clock used for run ids and synthesized payloads.
	Now func() time.Time
	// Executable gives the path of the anvil binary, which jobs get on
	// their PATH as "anvil" (the shipped actions run its subcommands).
	// Nil means jobs get no anvil.
	Executable func() (string, error)
	// SetGCPercent sets the garbage collector's target, as
	// runtime/debug.SetGCPercent. Nil leaves the collector alone.
	SetGCPercent func(percent int) int
}

// shortLivedGCPercent is the collector target of the commands that run
// once and exit (exec, demo, lint, policy test): a run that allocates less
// than 16 MiB never collects, where Go's default collected 4 MiB in, while
// the job's first steps ran (about 2 ms of the 3-step job; make bench).
const shortLivedGCPercent = 400

// tuneShortLived sets it, unless the user chose a target with GOGC.
func (p Process) tuneShortLived() {
	if _, set := p.lookupEnv("GOGC"); !set && p.SetGCPercent != nil {
		p.SetGCPercent(shortLivedGCPercent)
	}
}

// selfBinary is the anvil binary to give jobs, or "" when unknown.
func (p Process) selfBinary() string {
	if p.Executable == nil {
		return ""
	}
	path, err := p.Executable()
	if err != nil {
		return ""
	}
	return path
}

// OSProcess returns the Process of the running program, listening for
// Ctrl-C and SIGTERM.
func OSProcess() Process {
	interrupts := make(chan os.Signal, 2)
	signal.Notify(interrupts, os.Interrupt, syscall.SIGTERM)
	return Process{
		Stdout:        os.Stdout,
		Stderr:        os.Stderr,
		Stdin:         os.Stdin,
		StdinTerminal: term.IsTerminal(int(os.Stdin.Fd())),
		LookupEnv:     os.LookupEnv,
		Environ:       os.Environ,
		Terminal:      term.IsTerminal(int(os.Stdout.Fd())),
		Interrupts:    interrupts,
		Exit:          os.Exit,
		Now:           time.Now,
		Executable:    os.Executable,
		SetGCPercent:  debug.SetGCPercent,
	}
}

// lookupEnv reads key from the process environment; without LookupEnv
// nothing is set.
func (p Process) lookupEnv(key string) (string, bool) {
	if p.LookupEnv == nil {
		return "", false
	}
	return p.LookupEnv(key)
}

// getenv returns the value of key in the process environment, or "".
func (p Process) getenv(key string) string {
	v, _ := p.lookupEnv(key)
	return v
}

// environ returns the process environment, or nothing.
func (p Process) environ() []string {
	if p.Environ == nil {
		return nil
	}
	return p.Environ()
}

// now returns the current time from p's clock.
func (p Process) now() time.Time {
	if p.Now == nil {
		return time.Now()
	}
	return p.Now()
}

// secret returns a credential given as flag (its value), else read from
// file (named by fileFlag in errors), else from the environment variable
// env; surrounding white space goes. "" means none was given.
func (p Process) secret(flag, file, fileFlag, env string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return "", usageErrorf("%s: %w", fileFlag, err)
		}
		return strings.TrimSpace(string(data)), nil
	}
	return strings.TrimSpace(p.getenv(env)), nil
}
