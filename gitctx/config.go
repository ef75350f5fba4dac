package gitctx

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	format "github.com/go-git/go-git/v5/plumbing/format/config"
)

// maxIncludeDepth bounds include.path chains, as git's own limit does.
const maxIncludeDepth = 10

// userIdentity returns user.name and user.email as git config would: the
// system, global and repository files in that order, the last value set
// winning (an empty value in the repository hides a global one), with
// include.path followed.
func userIdentity(r *git.Repository, getenv func(string) string) (name, email string) {
	set := func(cfg *format.Config) {
		if !cfg.HasSection("user") {
			return
		}
		user := cfg.Section("user")
		if user.HasOption("name") {
			name = user.Option("name")
		}
		if user.HasOption("email") {
			email = user.Option("email")
		}
	}
	for _, file := range userConfigFiles(getenv) {
		readConfigFile(file, getenv, 0, set)
	}
	if cfg, err := r.Config(); err == nil && cfg.Raw != nil {
		set(cfg.Raw)
		forIncludes(cfg.Raw, "", getenv, 0, set)
	}
	return name, email
}

// userConfigFiles lists the system and global configuration files git
// reads, in order.
func userConfigFiles(getenv func(string) string) []string {
	var files []string
	if getenv("GIT_CONFIG_NOSYSTEM") == "" {
		files = append(files, firstNonEmpty(getenv("GIT_CONFIG_SYSTEM"), "/etc/gitconfig"))
	}
	if global := getenv("GIT_CONFIG_GLOBAL"); global != "" {
		return append(files, global)
	}
	home := getenv("HOME")
	xdg := getenv("XDG_CONFIG_HOME")
	if xdg == "" && home != "" {
		xdg = filepath.Join(home, ".config")
	}
	if xdg != "" {
		files = append(files, filepath.Join(xdg, "git", "config"))
	}
	if home != "" {
		files = append(files, filepath.Join(home, ".gitconfig"))
	}
	return files
}

// readConfigFile decodes file and hands it, then the files it includes, to
// set; a missing or unreadable file is skipped, as git skips it.
func readConfigFile(file string, getenv func(string) string, depth int, set func(*format.Config)) {
	if depth > maxIncludeDepth {
		return
	}
	f, err := os.Open(file)
	if err != nil {
		return
	}
	defer f.Close()
	cfg := format.New()
	if err := format.NewDecoder(f).Decode(cfg); err != nil {
		return
	}
	set(cfg)
	forIncludes(cfg, filepath.Dir(file), getenv, depth, set)
}

// forIncludes reads the include.path files of cfg, relative to dir.
func forIncludes(cfg *format.Config, dir string, getenv func(string) string, depth int, set func(*format.Config)) {
	if !cfg.HasSection("include") {
		return
	}
	for _, p := range cfg.Section("include").OptionAll("path") {
		switch {
		case strings.HasPrefix(p, "~/"):
			p = filepath.Join(getenv("HOME"), p[2:])
		case !filepath.IsAbs(p) && dir != "":
			p = filepath.Join(dir, p)
		case !filepath.IsAbs(p):
			continue
		}
		readConfigFile(p, getenv, depth+1, set)
	}
}
