package forgetest

import "gopkg.in/yaml.v3"

// The shapes Gitea 1.25.4's job parser (gitea.com/gitea/act, package
// jobparser) decodes a workflow into and encodes a task's payload from.
// They are the payload's specification: the field order is the payload's
// key order, a key without a field is dropped (top-level concurrency, a
// job's environment and continue-on-error, unknown keys), a string field
// turns any scalar into a string (fail-fast: "false"), a map[string]string
// sorts and quotes (env, with, outputs), and a yaml.Node field keeps the
// user's styles (flow mappings, quotes).

type payloadWorkflow struct {
	Name        string            `yaml:"name,omitempty"`
	On          yaml.Node         `yaml:"on,omitempty"`
	Env         map[string]string `yaml:"env,omitempty"`
	Jobs        yaml.Node         `yaml:"jobs,omitempty"`
	Defaults    payloadDefaults   `yaml:"defaults,omitempty"`
	Permissions yaml.Node         `yaml:"permissions,omitempty"`
	RunName     string            `yaml:"run-name,omitempty"`
}

type payloadJob struct {
	Name           string                           `yaml:"name,omitempty"`
	Needs          yaml.Node                        `yaml:"needs,omitempty"`
	RunsOn         yaml.Node                        `yaml:"runs-on,omitempty"`
	Env            yaml.Node                        `yaml:"env,omitempty"`
	If             yaml.Node                        `yaml:"if,omitempty"`
	Steps          []*payloadStep                   `yaml:"steps,omitempty"`
	TimeoutMinutes string                           `yaml:"timeout-minutes,omitempty"`
	Services       map[string]*payloadContainerSpec `yaml:"services,omitempty"`
	Strategy       payloadStrategy                  `yaml:"strategy,omitempty"`
	Container      yaml.Node                        `yaml:"container,omitempty"`
	Defaults       payloadDefaults                  `yaml:"defaults,omitempty"`
	Outputs        map[string]string                `yaml:"outputs,omitempty"`
	Uses           string                           `yaml:"uses,omitempty"`
	With           map[string]any                   `yaml:"with,omitempty"`
	Secrets        yaml.Node                        `yaml:"secrets,omitempty"`
	Concurrency    *payloadConcurrency              `yaml:"concurrency,omitempty"`
	Permissions    yaml.Node                        `yaml:"permissions,omitempty"`
}

type payloadStep struct {
	ID               string            `yaml:"id,omitempty"`
	If               yaml.Node         `yaml:"if,omitempty"`
	Name             string            `yaml:"name,omitempty"`
	Uses             string            `yaml:"uses,omitempty"`
	Run              string            `yaml:"run,omitempty"`
	WorkingDirectory string            `yaml:"working-directory,omitempty"`
	Shell            string            `yaml:"shell,omitempty"`
	Env              yaml.Node         `yaml:"env,omitempty"`
	With             map[string]string `yaml:"with,omitempty"`
	ContinueOnError  bool              `yaml:"continue-on-error,omitempty"`
	TimeoutMinutes   string            `yaml:"timeout-minutes,omitempty"`
}

type payloadContainerSpec struct {
	Image       string            `yaml:"image,omitempty"`
	Env         map[string]string `yaml:"env,omitempty"`
	Ports       []string          `yaml:"ports,omitempty"`
	Volumes     []string          `yaml:"volumes,omitempty"`
	Options     string            `yaml:"options,omitempty"`
	Credentials map[string]string `yaml:"credentials,omitempty"`
	Cmd         []string          `yaml:"cmd,omitempty"`
}

type payloadStrategy struct {
	FailFast    string    `yaml:"fail-fast,omitempty"`
	MaxParallel string    `yaml:"max-parallel,omitempty"`
	Matrix      yaml.Node `yaml:"matrix,omitempty"`
}

type payloadDefaults struct {
	Run payloadRunDefaults `yaml:"run,omitempty"`
}

type payloadRunDefaults struct {
	Shell            string `yaml:"shell,omitempty"`
	WorkingDirectory string `yaml:"working-directory,omitempty"`
}

// payloadConcurrency is a job's concurrency: an expression string or a
// group with cancel-in-progress, both kept as strings.
type payloadConcurrency struct {
	Group            string `yaml:"group,omitempty"`
	CancelInProgress string `yaml:"cancel-in-progress,omitempty"`
	expression       string
}

// concurrencyFields has payloadConcurrency's fields without its methods.
type concurrencyFields payloadConcurrency

// UnmarshalYAML reads a string as an expression, anything else as fields.
func (c *payloadConcurrency) UnmarshalYAML(n *yaml.Node) error {
	if err := n.Decode(&c.expression); err == nil {
		return nil
	}
	return n.Decode((*concurrencyFields)(c))
}

// MarshalYAML writes what UnmarshalYAML read.
func (c *payloadConcurrency) MarshalYAML() (any, error) {
	if c.expression != "" {
		return c.expression, nil
	}
	return (*concurrencyFields)(c), nil
}
