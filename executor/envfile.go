package executor

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// KeyValue is one assignment read from a GITHUB_ENV, GITHUB_OUTPUT or
// GITHUB_STATE file.
type KeyValue struct {
	Key, Value string
}

// EnvFileError reports a malformed line of an env file. Line counts from 1.
type EnvFileError struct {
	Line   int
	Reason string
}

// Error returns "line N: reason".
func (e *EnvFileError) Error() string {
	return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
}

// ParseEnvFile reads the file format of GITHUB_ENV, GITHUB_OUTPUT and
// GITHUB_STATE, with the rules GitHub's runner applies:
//
//   - "NAME=value" sets NAME to the rest of the line (which may contain "=");
//   - "NAME<<DELIM" starts a multi-line value that ends at the first line
//     that is exactly DELIM (so the delimiter never appears in the value as
//     a line of its own); the value is the lines in between, joined by "\n";
//   - whichever of "=" and "<<" comes first decides the form;
//   - empty lines are skipped; lines end in "\n" or "\r\n".
//
// Pairs come back in file order, repeats included: the caller applies them
// in order so later ones win. On a malformed line ParseEnvFile returns the
// pairs before it together with an *EnvFileError, since GitHub's runner has
// applied those by the time it fails.
func ParseEnvFile(r io.Reader) ([]KeyValue, error) {
	lines := newLineReader(r)
	var pairs []KeyValue
	for {
		line, ok, err := lines.next()
		if err != nil {
			return pairs, err
		}
		if !ok {
			return pairs, nil
		}
		if line == "" {
			continue
		}
		start := lines.n
		eq := strings.Index(line, "=")
		heredoc := strings.Index(line, "<<")
		switch {
		case eq >= 0 && (heredoc < 0 || eq < heredoc):
			if eq == 0 {
				return pairs, &EnvFileError{start, "name before = is empty"}
			}
			pairs = append(pairs, KeyValue{line[:eq], line[eq+1:]})
		case heredoc >= 0:
			name, delim := line[:heredoc], line[heredoc+2:]
			if name == "" {
				return pairs, &EnvFileError{start, "name before << is empty"}
			}
			if delim == "" {
				return pairs, &EnvFileError{start, fmt.Sprintf("delimiter after %s<< is empty", name)}
			}
			value, err := lines.until(delim)
			if err != nil {
				return pairs, err
			}
			if value == nil {
				return pairs, &EnvFileError{start, fmt.Sprintf("delimiter %s for %s not found", delim, name)}
			}
			pairs = append(pairs, KeyValue{name, strings.Join(value, "\n")})
		default:
			return pairs, &EnvFileError{start, "missing = or <<"}
		}
	}
}

// lineReader reads lines of any length, counting them.
type lineReader struct {
	r *bufio.Reader
	n int // number of the line last returned
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReader(r)}
}

// next returns the next line without "\n" or "\r\n"; ok is false at the
// end of the input.
func (l *lineReader) next() (line string, ok bool, err error) {
	s, err := l.r.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("reading env file after line %d: %w", l.n, err)
	}
	if s == "" && err != nil {
		return "", false, nil
	}
	l.n++
	s = strings.TrimSuffix(s, "\n")
	return strings.TrimSuffix(s, "\r"), true, nil
}

// until returns the lines before the first line equal to delim, consuming
// that line too. It returns nil lines when the input ends first.
func (l *lineReader) until(delim string) ([]string, error) {
	value := []string{}
	for {
		line, ok, err := l.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, nil
		}
		if line == delim {
			return value, nil
		}
		value = append(value, line)
	}
}

// codeInjectingEnv are variables that make every later process run code
// of the setter's choosing: the dynamic loader's preload and audit
// libraries and the script bash reads before any non-interactive script.
// GitHub's runner accepts them from GITHUB_ENV; anvil refuses them, since a
// step that sets them takes over every later step of the job, actions
// included. A step that needs one sets it in its own env: instead.
var codeInjectingEnv = []string{"LD_PRELOAD", "LD_AUDIT", "BASH_ENV"}

// EnvRefusal tells whether a step may not set variable name for the steps
// after it (through GITHUB_ENV, or through ::set-env:: when the command is
// via is "set-env"), and if so the workflow command level and the line that
// says so. NODE_OPTIONS is refused as GitHub refuses it, with its error
// line; the names in codeInjectingEnv with a warning naming the variable.
// Names are compared ignoring case, as GitHub compares NODE_OPTIONS.
func EnvRefusal(name, via string) (level, line string, refused bool) {
	if strings.EqualFold(name, "NODE_OPTIONS") {
		if via == "set-env" {
			return "error", "Can't update NODE_OPTIONS environment variable using ::set-env:: command.", true
		}
		return "error", "Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.", true
	}
	for _, n := range codeInjectingEnv {
		if strings.EqualFold(name, n) {
			how := "'$GITHUB_ENV'"
			if via == "set-env" {
				how = "::set-env::"
			}
			return "warning", fmt.Sprintf("%s was not set for the following steps: anvil does not let %s set %s, which would run code in every later step. Set it in the env: of the step that needs it.", name, how, strings.Join(codeInjectingEnv, ", ")), true
		}
	}
	return "", "", false
}
