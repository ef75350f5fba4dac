package cmd

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// fill completes the options: the token from its file or the environment,
// labels from the config, and what is still missing from prompts when
// stdin is a terminal. Without a terminal (or with --no-interactive) a
// missing instance or token is a usage error.
func (o *registerOptions) fill(proc Process, cfg daemonConfig) error {
	if o.token == "" && o.tokenFile != "" {
		data, err := os.ReadFile(o.tokenFile)
		if err != nil {
			return usageErrorf("--token-file: %w", err)
		}
		o.token = strings.TrimSpace(string(data))
	}
	if o.token == "" {
		o.token = strings.TrimSpace(proc.getenv(registrationTokenEnv))
	}
	if len(o.labels) == 0 {
		o.labels = cfg.Runner.Labels
	}
	hostname, _ := os.Hostname()
	interactive := proc.StdinTerminal && !o.noInteractive && proc.Stdin != nil
	if interactive {
		p := &prompter{in: bufio.NewReader(proc.Stdin), out: proc.Stderr, stdin: proc.Stdin}
		if o.instance == "" {
			o.instance = p.ask("Forge URL (e.g. https://forge.example)", "")
		}
		if o.token == "" {
			o.token = p.secret("Registration token (from the forge's runner settings)")
		}
		if o.name == "" {
			o.name = p.ask("Runner name", hostname)
		}
		if len(o.labels) == 0 {
			if l := p.ask("Labels, comma-separated, name[:schema[:arg]]", "self-hosted:host"); l != "" {
				o.labels = splitList(l)
			}
		}
		if p.err != nil {
			return usageErrorf("reading the answers: %w", p.err)
		}
	}
	var missing []string
	if o.instance == "" {
		missing = append(missing, "--instance")
	}
	if o.token == "" {
		missing = append(missing, "--token (or --token-file, or "+registrationTokenEnv+")")
	}
	if len(missing) > 0 {
		return usageErrorf("missing %s; give them on the command line, or run anvil register on a terminal without --no-interactive to be asked", strings.Join(missing, " and "))
	}
	if o.name == "" {
		o.name = hostname
	}
	if o.name == "" {
		o.name = "anvil"
	}
	if len(o.labels) == 0 {
		o.labels = []string{"self-hosted:host"}
	}
	return nil
}

// prompter asks questions on a terminal. The first read error sticks.
type prompter struct {
	in    *bufio.Reader
	out   io.Writer
	stdin io.Reader
	err   error
}

// ask prints a question and returns the answer, or def for an empty one.
func (p *prompter) ask(question, def string) string {
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

// secret asks without echoing the answer when stdin is a terminal file.
func (p *prompter) secret(question string) string {
	f, ok := p.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || p.in.Buffered() > 0 {
		return p.ask(question, "")
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

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
