package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// lintRunnerConfig is the part of a runner's config file (forgejo-runner's
// format, which anvil daemon reads) that says where its labels are.
type lintRunnerConfig struct {
	Runner struct {
		File   string   `yaml:"file"`
		Labels []string `yaml:"labels"`
	} `yaml:"runner"`
}

// runnerConfigLabels returns the runner's labels as its config file gives
// them: runner.labels when set, else the labels of the registration file
// runner.file (default .runner; relative paths are taken from the current
// directory, as the daemon does).
func runnerConfigLabels(configFile string) ([]string, error) {
	data, err := os.ReadFile(configFile)
	if err != nil {
		return nil, fmt.Errorf("reading the runner's labels (or pass --label): %w", err)
	}
	var cfg lintRunnerConfig
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("reading the runner's labels from %s: not a runner config file: %w", configFile, err)
	}
	if len(cfg.Runner.Labels) > 0 {
		return cfg.Runner.Labels, nil
	}
	file := cfg.Runner.File
	if file == "" {
		file = ".runner"
	}
	data, err = os.ReadFile(filepath.Clean(file))
	if err != nil {
		return nil, fmt.Errorf("%s sets no runner.labels, and reading the registration file: %w; register the runner or pass --label", configFile, err)
	}
	var reg struct {
		Labels []string `json:"labels"`
	}
	if err := json.Unmarshal(data, &reg); err != nil {
		return nil, fmt.Errorf("reading the runner's labels from %s: not a registration file: %w", file, err)
	}
	return reg.Labels, nil
}
