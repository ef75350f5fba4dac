package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/docker/go-units"
	"gopkg.in/yaml.v3"

	"codeberg.org/anvil-ci/anvil/cache"
	"codeberg.org/anvil-ci/anvil/localrun"
)

// daemonConfig is the runner's configuration file. Its keys are
// forgejo-runner's where the meaning is the same, so an existing
// config.yaml works unchanged; keys anvil does not use are accepted with
// a note. generate-config prints it with every key documented.
type daemonConfig struct {
	Log       logConfig       `yaml:"log"`
	Runner    runnerSection   `yaml:"runner"`
	Container containerConfig `yaml:"container"`
	Host      hostConfig      `yaml:"host"`
	Actions   actionsConfig   `yaml:"actions"`
	Cache     cache.Config    `yaml:"cache"`
	Policy    policyConfig    `yaml:"policy"`
	Audit     auditConfig     `yaml:"audit"`
	Metrics   metricsConfig   `yaml:"metrics"`
}

type logConfig struct {
	// Level is logrus's: trace, debug, info, warn, error, fatal.
	Level string `yaml:"level"`
}

type runnerSection struct {
	File            string            `yaml:"file"`
	Capacity        int               `yaml:"capacity"`
	Envs            map[string]string `yaml:"envs"`
	EnvFile         string            `yaml:"env_file"`
	Timeout         time.Duration     `yaml:"timeout"`
	ShutdownTimeout time.Duration     `yaml:"shutdown_timeout"`
	Insecure        bool              `yaml:"insecure"`
	FetchTimeout    time.Duration     `yaml:"fetch_timeout"`
	FetchInterval   time.Duration     `yaml:"fetch_interval"`
	ReportInterval  time.Duration     `yaml:"report_interval"`
	Labels          []string          `yaml:"labels"`
	// StateDir is anvil's own: where running tasks' logs are spooled.
	StateDir string `yaml:"state_dir"`
}

// containerConfig is for the Docker executor (docker:// labels).
type containerConfig struct {
	Network       string   `yaml:"network"`
	Privileged    bool     `yaml:"privileged"`
	Options       string   `yaml:"options"`
	WorkdirParent string   `yaml:"workdir_parent"`
	ValidVolumes  []string `yaml:"valid_volumes"`
	DockerHost    string   `yaml:"docker_host"`
	ForcePull     bool     `yaml:"force_pull"`
	// CPUs and Memory limit every container of a job (Anvil's own keys).
	CPUs   float64 `yaml:"cpus"`
	Memory string  `yaml:"memory"`
}

type hostConfig struct {
	WorkdirParent string `yaml:"workdir_parent"`
}

// defaultDaemonConfig is what a missing file or key means.
func defaultDaemonConfig() daemonConfig {
	return daemonConfig{
		Log: logConfig{Level: "info"},
		Runner: runnerSection{
			File:           ".runner",
			Capacity:       1,
			Envs:           map[string]string{},
			EnvFile:        ".env",
			Timeout:        3 * time.Hour,
			FetchTimeout:   5 * time.Second,
			FetchInterval:  2 * time.Second,
			ReportInterval: time.Second,
			Labels:         []string{},
		},
		Container: containerConfig{ValidVolumes: []string{}},
		Actions:   actionsConfig{LocalRepositories: []string{}},
		Cache:     cache.Config{Enabled: new(true), MaxSize: cache.DefaultMaxSize, MaxAge: cache.DefaultMaxAge},
		Audit:     auditConfig{MaxSize: "100m"},
	}
}

// ignoredKeys are forgejo-runner keys anvil accepts without using them,
// with the reason given in the note.
var ignoredKeys = map[string]string{
	"log.job_level":           "job logs go to the forge unfiltered",
	"runner.github_mirror":    "actions are resolved from the forge's default actions URL; actions.mirror replaces it",
	"cache.proxy_port":        "anvil has no cache proxy: each job reaches the cache server with a credential of its own",
	"container.enable_ipv6":   "not supported by anvil's Docker executor",
	"container.force_rebuild": "not supported by anvil's Docker executor",
	"server":                  "anvil has no connections section",
}

// loadDaemonConfig reads the file at path over the defaults; path "" gives
// the defaults. Notes lists keys that are ignored or unknown, for the user.
func loadDaemonConfig(path string) (cfg daemonConfig, notes []string, err error) {
	cfg = defaultDaemonConfig()
	if path == "" {
		return cfg, nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return cfg, nil, usageErrorf("reading the config file: %w (create one with: anvil generate-config > %s)", err, path)
	}
	if err := decodeDaemonConfig(data, &cfg); err != nil {
		return cfg, nil, usageErrorf("config file %s: %w", path, err)
	}
	var root yaml.Node
	if yaml.Unmarshal(data, &root) == nil && len(root.Content) == 1 {
		notes = configNotes(path, root.Content[0], "", known)
	}
	if err := cfg.check(); err != nil {
		return cfg, notes, usageErrorf("config file %s: %w", path, err)
	}
	return cfg, notes, nil
}

// decodeDaemonConfig decodes YAML over cfg; an empty document keeps it.
func decodeDaemonConfig(data []byte, cfg *daemonConfig) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if cfg.Runner.Envs == nil {
		cfg.Runner.Envs = map[string]string{}
	}
	if cfg.Actions.LocalRepositories == nil {
		cfg.Actions.LocalRepositories = []string{}
	}
	return nil
}

// check reports values that cannot work.
func (c daemonConfig) check() error {
	var probs []string
	if c.Runner.Capacity < 1 {
		probs = append(probs, fmt.Sprintf("runner.capacity is %d; it must be at least 1", c.Runner.Capacity))
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{{"runner.timeout", c.Runner.Timeout}, {"runner.fetch_timeout", c.Runner.FetchTimeout},
		{"runner.fetch_interval", c.Runner.FetchInterval}, {"runner.report_interval", c.Runner.ReportInterval}} {
		if d.v <= 0 {
			probs = append(probs, fmt.Sprintf("%s is %s; it must be a positive duration such as 5s", d.key, d.v))
		}
	}
	if c.Runner.ShutdownTimeout < 0 {
		probs = append(probs, "runner.shutdown_timeout must not be negative")
	}
	probs = append(probs, c.Actions.check()...)
	probs = append(probs, c.checkGovernance()...)
	if c.Container.CPUs < 0 {
		probs = append(probs, fmt.Sprintf("container.cpus is %g; it must be 0 (no limit) or more", c.Container.CPUs))
	}
	if _, err := c.Container.memoryBytes(); err != nil {
		probs = append(probs, err.Error())
	}
	if err := c.Cache.Validate(); err != nil {
		probs = append(probs, strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	if len(probs) > 0 {
		return errors.New(strings.Join(probs, "; "))
	}
	return nil
}

// known is the tree of keys anvil reads; a nil value is a leaf.
var known = map[string]any{
	"log": map[string]any{"level": nil},
	"runner": map[string]any{"file": nil, "capacity": nil, "envs": nil, "env_file": nil, "timeout": nil,
		"shutdown_timeout": nil, "insecure": nil, "fetch_timeout": nil, "fetch_interval": nil,
		"report_interval": nil, "labels": nil, "state_dir": nil},
	"container": map[string]any{"network": nil, "privileged": nil, "options": nil, "workdir_parent": nil,
		"valid_volumes": nil, "docker_host": nil, "force_pull": nil, "cpus": nil, "memory": nil},
	"host":    map[string]any{"workdir_parent": nil},
	"actions": map[string]any{"mirror": nil, "local_repositories": nil, "offline": nil, "cache_dir": nil},
	"cache": map[string]any{"enabled": nil, "dir": nil, "host": nil, "port": nil, "external_server": nil,
		"actions_cache_url_override": nil, "secret": nil, "secret_url": nil, "max_size": nil, "max_age": nil},
	"policy":  map[string]any{"file": nil},
	"audit":   map[string]any{"file": nil, "max_size": nil, "syslog": nil},
	"metrics": map[string]any{"addr": nil},
}

// configNotes lists the keys of n (a mapping at prefix) that anvil does
// not read: forgejo-runner keys it ignores, and unknown ones (typos).
func configNotes(file string, n *yaml.Node, prefix string, tree map[string]any) []string {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	var notes []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		if prefix != "" {
			key = prefix + "." + k.Value
		}
		sub, ok := tree[k.Value]
		switch {
		case ok && sub != nil:
			notes = append(notes, configNotes(file, v, key, sub.(map[string]any))...)
		case ok:
		case ignoredKeys[key] != "":
			notes = append(notes, fmt.Sprintf("%s:%d: %s is not used by anvil (%s); ignored", file, k.Line, key, ignoredKeys[key]))
		default:
			keys := make([]string, 0, len(tree))
			for name := range tree {
				keys = append(keys, name)
			}
			slices.Sort(keys)
			notes = append(notes, fmt.Sprintf("%s:%d: unknown key %s; ignored (known here: %s)", file, k.Line, key, strings.Join(keys, ", ")))
		}
	}
	return notes
}

// readEnvFile reads runner.env_file; a missing file is no error, as with
// forgejo-runner.
func readEnvFile(path string) (map[string]string, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading runner.env_file: %w", err)
	}
	m, err := localrun.ParseDotenv(data)
	if err != nil {
		return nil, fmt.Errorf("runner.env_file %s: %w", path, err)
	}
	return m, nil
}

// stateDir is runner.state_dir, by default .anvil next to the runner file.
func (c daemonConfig) stateDir() string {
	if c.Runner.StateDir != "" {
		return c.Runner.StateDir
	}
	return filepath.Join(filepath.Dir(c.Runner.File), ".anvil")
}

// memoryBytes parses container.memory ("" for no limit).
func (c containerConfig) memoryBytes() (int64, error) {
	if strings.TrimSpace(c.Memory) == "" {
		return 0, nil
	}
	n, err := units.RAMInBytes(c.Memory)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("container.memory %q: write a size such as 512m or 2g", c.Memory)
	}
	return n, nil
}
