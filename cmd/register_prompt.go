package cmd

import (
	"os"
	"strings"

	"codeberg.org/anvil-ci/anvil/forge"
	"codeberg.org/anvil-ci/anvil/internal/prompt"
)

// fill completes the options: the token from its file or the environment,
// labels from the config, and what is still missing from prompts when
// stdin is a terminal. Without a terminal (or with --no-interactive) a
// missing instance or token is a usage error.
func (o *registerOptions) fill(proc Process, cfg daemonConfig) error {
	token, err := proc.secret(o.token, o.tokenFile, "--token-file", registrationTokenEnv)
	if err != nil {
		return err
	}
	o.token = token
	if len(o.labels) == 0 {
		o.labels = cfg.Runner.Labels
	}
	hostname, _ := os.Hostname()
	interactive := proc.StdinTerminal && !o.noInteractive && proc.Stdin != nil
	if interactive {
		p := prompt.New(proc.Stdin, proc.Stderr)
		if o.instance == "" {
			o.instance = p.Ask("Forge URL (e.g. https://forge.example)", "")
		}
		if o.token == "" {
			o.token = p.Secret("Registration token (from the forge's runner settings)")
		}
		if o.name == "" {
			o.name = p.Ask("Runner name", hostname)
		}
		if len(o.labels) == 0 {
			if l := p.Ask("Labels, comma-separated, name[:schema[:arg]]", "self-hosted:host"); l != "" {
				o.labels = forge.SplitLabels(l)
			}
		}
		if err := p.Err(); err != nil {
			return usageErrorf("reading the answers: %w", err)
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
