package cmd

import (
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// execOptions are the flags of anvil exec as given.
type execOptions struct {
	dir        string
	workflows  string
	job        string
	eventPath  string
	actor      string
	secrets    []string
	secretFile string
	vars       []string
	varFile    string
	env        []string
	envFile    string
	inputs     []string
	list       bool
	platforms  []string
	json       bool
	workDir    string
	grace      time.Duration
	docker     dockerFlags
	actions    actionFlags
	artifacts  artifactFlags
	cache      cacheFlags
	govern     governFlags
}

// bind registers the exec flags on fs, act-compatible where act has them.
func (o *execOptions) bind(fs *pflag.FlagSet) {
	fs.StringVarP(&o.dir, "directory", "C", ".", "the repository to run: workflows, git state and the checkout come from here")
	fs.StringVarP(&o.workflows, "workflows", "W", "", "a workflow file or directory (default: .forgejo/workflows, .gitea/workflows or .github/workflows)")
	fs.StringVarP(&o.job, "job", "j", "", "run only the job with this id (and the jobs it needs)")
	fs.StringVarP(&o.eventPath, "eventpath", "e", "", "a JSON file with the event payload (github.event)")
	fs.StringVarP(&o.actor, "actor", "a", "", "the user who triggered the event: github.actor and github.triggering_actor (default: git's user.name, else $USER)")
	fs.StringArrayVarP(&o.secrets, "secret", "s", nil, "a secret as NAME=VALUE, or NAME to take the value from anvil's environment (repeatable)")
	fs.StringVar(&o.secretFile, "secret-file", "", "a file of NAME=VALUE secrets (dotenv format)")
	fs.StringArrayVar(&o.vars, "var", nil, "a configuration variable (vars context) as NAME=VALUE (repeatable)")
	fs.StringVar(&o.varFile, "var-file", "", "a file of NAME=VALUE variables (dotenv format)")
	fs.StringArrayVar(&o.env, "env", nil, "an environment variable for every job as NAME=VALUE (repeatable)")
	fs.StringVar(&o.envFile, "env-file", "", "a file of NAME=VALUE environment variables (dotenv format)")
	fs.StringArrayVar(&o.inputs, "input", nil, "a workflow_dispatch input as NAME=VALUE (repeatable)")
	fs.BoolVarP(&o.list, "list", "l", false, "list the jobs the event would run, and run nothing")
	fs.StringArrayVarP(&o.platforms, "platform", "P", nil, "run jobs with runs-on LABEL on this host (LABEL=host, or act's LABEL=-self-hosted) or in a container (LABEL=docker://IMAGE); jobs with no mapped label are skipped (repeatable)")
	o.docker.bind(fs)
	fs.BoolVar(&o.json, "json", false, "print one JSON event per line on stdout")
	fs.StringVar(&o.workDir, "workdir", "", "where job directories go (default: a temporary directory removed afterwards)")
	fs.DurationVar(&o.grace, "grace", 10*time.Second, "how long cancelled processes get between interrupt and kill")
	o.actions.bind(fs)
	o.artifacts.bind(fs)
	o.cache.bind(fs)
	o.govern.bind(fs)
}

// runValues are the name/value maps the flags give the engine.
type runValues struct {
	Secrets map[string]string
	Vars    map[string]string
	Env     map[string]string
	Inputs  map[string]any
}

// values reads the secret, var, env and input flags and their files. Flags
// given on the command line override values from files.
func (o *execOptions) values(lookupEnv func(string) (string, bool)) (runValues, error) {
	var v runValues
	var err error
	if v.Secrets, err = readDotenvFile(o.secretFile, "--secret-file"); err != nil {
		return v, err
	}
	for _, s := range o.secrets {
		name, value, ok := strings.Cut(s, "=")
		if !ok {
			value, ok = lookupEnv(name)
			if !ok {
				return v, usageErrorf("secret %s: -s %s takes its value from anvil's environment, but %s is not set; export it or pass -s %s=VALUE", name, name, name, name)
			}
		}
		if err := setNamed(v.Secrets, name, value, "-s"); err != nil {
			return v, err
		}
	}
	if v.Vars, err = namedValues(o.varFile, "--var-file", o.vars, "--var"); err != nil {
		return v, err
	}
	if v.Env, err = namedValues(o.envFile, "--env-file", o.env, "--env"); err != nil {
		return v, err
	}
	v.Inputs = map[string]any{}
	for _, s := range o.inputs {
		name, value, ok := strings.Cut(s, "=")
		if !ok || name == "" {
			return v, usageErrorf("--input %q: write it as NAME=VALUE", s)
		}
		v.Inputs[name] = value
	}
	return v, nil
}

// namedValues reads a dotenv file, then NAME=VALUE flags over it.
func namedValues(file, fileFlag string, pairs []string, flag string) (map[string]string, error) {
	m, err := readDotenvFile(file, fileFlag)
	if err != nil {
		return nil, err
	}
	for _, s := range pairs {
		name, value, ok := strings.Cut(s, "=")
		if !ok {
			return nil, usageErrorf("%s %q: write it as NAME=VALUE", flag, s)
		}
		if err := setNamed(m, name, value, flag); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// setNamed stores m[name] = value after checking the name.
func setNamed(m map[string]string, name, value, flag string) error {
	if name == "" || strings.ContainsAny(name, " \t\n") {
		return usageErrorf("%s %q: the name must be non-empty and without spaces", flag, name)
	}
	m[name] = value
	return nil
}

// readDotenvFile reads NAME=VALUE lines from file; an empty file name gives
// an empty map.
func readDotenvFile(file, flag string) (map[string]string, error) {
	if file == "" {
		return map[string]string{}, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, usageErrorf("%s: %w", flag, err)
	}
	m, err := parseDotenv(data)
	if err != nil {
		return nil, usageErrorf("%s %s: %w", flag, file, err)
	}
	return m, nil
}
