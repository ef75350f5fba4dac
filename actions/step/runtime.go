package step

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Runtime is what the runner gives a step: the log (the step's stdout,
// read for workflow commands), the $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY
// files and a temporary directory. Empty file names mean the step runs
// outside a job: outputs and the summary are then only printed.
type Runtime struct {
	// Log is the step's output; workflow commands written here
	// (::add-mask::, ::error::) are read by the runner.
	Log io.Writer
	// OutputFile is $GITHUB_OUTPUT and SummaryFile $GITHUB_STEP_SUMMARY.
	OutputFile  string
	SummaryFile string
	// TempDir is where bundles are unpacked and plans written
	// ($RUNNER_TEMP); "" means the system's temporary directory.
	TempDir string

	masked map[string]bool
}

// NewRuntime returns the Runtime of a step that logs to log and reads the
// files the runner named from env: $GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY
// and $RUNNER_TEMP.
func NewRuntime(log io.Writer, env func(key string) (string, bool)) *Runtime {
	get := func(key string) string {
		v, _ := env(key)
		return v
	}
	return &Runtime{Log: log, OutputFile: get("GITHUB_OUTPUT"), SummaryFile: get("GITHUB_STEP_SUMMARY"), TempDir: get("RUNNER_TEMP")}
}

// Mask registers every line of secret with the runner so that it never
// appears in logs. Call it before printing anything else.
func (r *Runtime) Mask(secret string) {
	for line := range strings.SplitSeq(secret, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || r.masked[line] {
			continue
		}
		if r.masked == nil {
			r.masked = map[string]bool{}
		}
		r.masked[line] = true
		fmt.Fprintf(r.Log, "::add-mask::%s\n", escapeData(line))
	}
}

// Printf writes one log line.
func (r *Runtime) Printf(format string, args ...any) {
	fmt.Fprintf(r.Log, format+"\n", args...)
}

// Command writes the workflow command name (error, warning, notice,
// group) with message.
func (r *Runtime) Command(name, message string) {
	fmt.Fprintf(r.Log, "::%s::%s\n", name, escapeData(message))
}

// Group runs f with its log lines folded under title, and with workflow
// commands switched off, so that what a tool prints cannot pose as one
// (an output line starting with "::set-env" stays a line).
func (r *Runtime) Group(title string, f func()) {
	r.Command("group", title)
	token := randomToken()
	fmt.Fprintf(r.Log, "::stop-commands::%s\n", token)
	defer func() {
		fmt.Fprintf(r.Log, "::%s::\n", token)
		fmt.Fprintln(r.Log, "::endgroup::")
	}()
	f()
}

// SetOutputs appends outputs to $GITHUB_OUTPUT in the multi-line form,
// with a delimiter that occurs in no value, and prints the non-secret
// ones when there is no output file.
func (r *Runtime) SetOutputs(outputs []Output) error {
	var b strings.Builder
	for _, o := range outputs {
		delim := "ANVIL_EOF_" + randomToken()
		for strings.Contains(o.Value, delim) {
			delim = "ANVIL_EOF_" + randomToken()
		}
		fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", o.Name, delim, o.Value, delim)
	}
	if r.OutputFile == "" {
		for _, o := range outputs {
			r.Printf("output %s=%s", o.Name, o.Value)
		}
		return nil
	}
	return appendFile(r.OutputFile, "$GITHUB_OUTPUT", b.String())
}

// AddSummary appends Markdown to $GITHUB_STEP_SUMMARY.
func (r *Runtime) AddSummary(markdown string) error {
	if r.SummaryFile == "" {
		return nil
	}
	return appendFile(r.SummaryFile, "$GITHUB_STEP_SUMMARY", markdown)
}

// Fail reports err as an ::error:: line and returns it.
func (r *Runtime) Fail(err error) error {
	r.Command("error", err.Error())
	return err
}

// Finish writes outputs and the summary (a trailing newline added), also
// after a failure, then reports and returns runErr, or else a failure to
// write them; nil when all went well.
func (r *Runtime) Finish(outputs []Output, summary string, runErr error) error {
	werr := errors.Join(r.SetOutputs(outputs), r.AddSummary(summary+"\n"))
	if runErr != nil {
		return r.Fail(runErr)
	}
	if werr != nil {
		return r.Fail(werr)
	}
	return nil
}

// Temp returns the directory for temporary files.
func (r *Runtime) Temp() string {
	if r.TempDir != "" {
		return r.TempDir
	}
	return os.TempDir()
}

// Output is one step output.
type Output struct {
	Name  string
	Value string
}

// appendFile appends text to the file the runner named what.
func appendFile(path, what, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("opening %s (%s): %w; run the action as a workflow step or unset the variable", what, path, err)
	}
	if _, err := io.WriteString(f, text); err != nil {
		f.Close()
		return fmt.Errorf("writing %s (%s): %w", what, path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s (%s): %w", what, path, err)
	}
	return nil
}

// escapeData escapes a workflow command's message the way the runner
// unescapes it.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// randomToken returns 16 random hex digits.
func randomToken() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}
