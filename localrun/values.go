package localrun

import (
	"os"
	"strings"
)

// ValueFlags are the name/value flags of a run as given: -s, --var,
// --env and --input, and the dotenv files of the first three.
type ValueFlags struct {
	Secrets    []string
	SecretFile string
	Vars       []string
	VarFile    string
	Env        []string
	EnvFile    string
	Inputs     []string
}

// Values are the name/value maps the flags give the engine.
type Values struct {
	Secrets map[string]string
	Vars    map[string]string
	Env     map[string]string
	Inputs  map[string]any
}

// Read reads the secret, var, env and input flags and their files; -s NAME
// takes its value from lookupEnv. Flags given on the command line override
// values from files.
func (f ValueFlags) Read(lookupEnv func(string) (string, bool)) (Values, error) {
	var v Values
	var err error
	if v.Secrets, err = readDotenvFile(f.SecretFile, "--secret-file"); err != nil {
		return v, err
	}
	for _, s := range f.Secrets {
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
	if v.Vars, err = namedValues(f.VarFile, "--var-file", f.Vars, "--var"); err != nil {
		return v, err
	}
	if v.Env, err = namedValues(f.EnvFile, "--env-file", f.Env, "--env"); err != nil {
		return v, err
	}
	v.Inputs = map[string]any{}
	for _, s := range f.Inputs {
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
	m, err := ParseDotenv(data)
	if err != nil {
		return nil, usageErrorf("%s %s: %w", flag, file, err)
	}
	return m, nil
}
