package runopt

import (
	"fmt"
	"path"
	"regexp"
	"strings"
	"sync"
)

// Volume is one volumes: entry.
type Volume struct {
	// Source is a host path (absolute), a volume name, or "" for an
	// anonymous volume.
	Source, Target string
	ReadOnly       bool
}

// ParseVolume reads SOURCE:TARGET[:MODE] or TARGET.
func ParseVolume(s string) (Volume, error) {
	parts := strings.Split(s, ":")
	var v Volume
	switch len(parts) {
	case 1:
		v.Target = parts[0]
	case 2:
		v.Source, v.Target = parts[0], parts[1]
	case 3:
		v.Source, v.Target = parts[0], parts[1]
		for _, m := range strings.Split(parts[2], ",") {
			switch m {
			case "ro", "readonly":
				v.ReadOnly = true
			case "rw", "z", "Z", "":
			default:
				return v, fmt.Errorf("volume %q: unsupported mode %q (use ro or rw)", s, m)
			}
		}
	default:
		return v, fmt.Errorf("volume %q: write it as SOURCE:TARGET[:ro] or TARGET", s)
	}
	if !path.IsAbs(v.Target) {
		return v, fmt.Errorf("volume %q: the target %q must be an absolute path in the container", s, v.Target)
	}
	if v.Source != "" && !path.IsAbs(v.Source) && !validVolumeName().MatchString(v.Source) {
		return v, fmt.Errorf("volume %q: the source must be an absolute host path or a volume name", s)
	}
	return v, nil
}

// validVolumeName is what Docker accepts as a volume name.
var validVolumeName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`) })

// Allowed reports whether s (a host path or volume name) matches one of
// the glob patterns of a runner's valid volumes, where * matches within a
// path segment and ** across segments.
func Allowed(patterns []string, s string) bool {
	for _, p := range patterns {
		if globRegexp(p).MatchString(s) {
			return true
		}
	}
	return false
}

// globRegexp compiles a glob pattern.
func globRegexp(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '*' && i+1 < len(p) && p[i+1] == '*':
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}
