package docker

import (
	"fmt"
	"regexp"
	"strings"

	"codeberg.org/anvil-ci/anvil/executor"
)

// execWrapper runs a step's command: it sends stdout and stderr to the
// output FIFO (one pipe keeps their order, as on the host, and keeps the
// step's processes off Docker's own streams), writes one handshake byte
// there, records its pid (the leader of the exec's own session and
// process group) in the pid file, changes to the working directory and
// replaces itself with the program. A missing directory or program is
// written to the pid file instead, for Exec to report like the host
// backend.
const execWrapper = `o=$1 p=$2 d=$3 prog=$4
shift 4
exec >"$o" 2>&1 </dev/null
printf .
echo $$ > "$p"
if [ -n "$d" ] && ! cd "$d" 2>/dev/null; then echo nodir > "$p"; exit 1; fi
unset OLDPWD
if ! command -v "$prog" >/dev/null 2>&1; then echo notfound > "$p"; exit 127; fi
exec "$@"`

// execArgs is the command line of docker exec for c, and the environment
// to give the exec. Shells drop variables whose names are not shell names
// (INPUT_WHO-TO-GREET), so those reach the program through env(1)
// instead of through the wrapper's environment.
func execArgs(outFile, pidFile string, c executor.Command) (args, env []string) {
	args = []string{"/bin/sh", "-c", execWrapper, "anvil-exec", outFile, pidFile, c.Dir, c.Args[0]}
	var odd []string
	for _, kv := range c.Env {
		if k, _, _ := strings.Cut(kv, "="); shellName.MatchString(k) {
			env = append(env, kv)
		} else {
			odd = append(odd, kv)
		}
	}
	if len(odd) > 0 {
		args = append(append(args, "env", "--"), odd...)
	}
	return append(args, c.Args...), env
}

// shellName matches the variable names a POSIX shell passes on.
var shellName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// signalArgs signals the process group of pid, or pid alone should it
// have left its group.
func signalArgs(sig string, pid int) []string {
	return []string{"/bin/sh", "-c", `kill -s "$0" -- "-$1" 2>/dev/null || kill -s "$0" "$1" 2>/dev/null; true`, sig, fmt.Sprint(pid)}
}

// hasProgramArgs prints where name is on path, and fails when it is not.
func hasProgramArgs(name, searchPath string) []string {
	return []string{"/bin/sh", "-c", `PATH=$0 command -v "$1" 2>/dev/null`, searchPath, name}
}

// actionEnv drops from a docker action's environment what the job
// container's environment put there (its PATH, HOME, ...): the action's
// image brings its own.
func actionEnv(env []string, base map[string]string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if k == "PATH" || k == "HOME" || k == "HOSTNAME" {
			continue
		}
		if bv, ok := base[k]; ok && bv == v {
			continue
		}
		out = append(out, kv)
	}
	return out
}
