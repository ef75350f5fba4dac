package docker

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/docker/docker/api/types/mount"
)

// volumeSpec is one parsed volumes: entry.
type volumeSpec struct {
	// source is a host path (absolute), a volume name, or "" for an
	// anonymous volume.
	source, target string
	readOnly       bool
}

// parseVolume reads SOURCE:TARGET[:MODE] or TARGET.
func parseVolume(s string) (volumeSpec, error) {
	parts := strings.Split(s, ":")
	var v volumeSpec
	switch len(parts) {
	case 1:
		v.target = parts[0]
	case 2:
		v.source, v.target = parts[0], parts[1]
	case 3:
		v.source, v.target = parts[0], parts[1]
		for _, m := range strings.Split(parts[2], ",") {
			switch m {
			case "ro", "readonly":
				v.readOnly = true
			case "rw", "z", "Z", "":
			default:
				return v, fmt.Errorf("volume %q: unsupported mode %q (use ro or rw)", s, m)
			}
		}
	default:
		return v, fmt.Errorf("volume %q: write it as SOURCE:TARGET[:ro] or TARGET", s)
	}
	if !path.IsAbs(v.target) {
		return v, fmt.Errorf("volume %q: the target %q must be an absolute path in the container", s, v.target)
	}
	if v.source != "" && !path.IsAbs(v.source) && !validVolumeName.MatchString(v.source) {
		return v, fmt.Errorf("volume %q: the source must be an absolute host path or a volume name", s)
	}
	return v, nil
}

// validVolumeName is what Docker accepts as a volume name.
var validVolumeName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// jobVolumeKey is the key of an anonymous volume in the volumes map.
func jobVolumeKey(what string, v volumeSpec) string {
	if v.source == "" {
		return what + ":" + v.target
	}
	return v.source
}

// planVolumes lists the volumes the job must create for its containers'
// volume lists: names not allowed as shared volumes by ValidVolumes get a
// job volume, as does each anonymous volume. It returns the key of each
// (see jobVolumeKey) with its Docker name.
func planVolumes(cfg Config, prefix string, lists map[string][]string) (map[string]string, error) {
	out := map[string]string{}
	whats := make([]string, 0, len(lists))
	for w := range lists {
		whats = append(whats, w)
	}
	sort.Strings(whats)
	n := 0
	for _, what := range whats {
		for _, s := range lists[what] {
			v, err := parseVolume(s)
			if err != nil {
				return nil, fmt.Errorf("%w: %s.volumes: %v", ErrBadOptions, what, err)
			}
			key := jobVolumeKey(what, v)
			switch {
			case path.IsAbs(v.source):
				continue
			case v.source != "" && matchAny(cfg.ValidVolumes, v.source):
				continue
			case out[key] != "":
				continue
			case v.source == "":
				n++
				out[key] = fmt.Sprintf("%s-anon-%d", prefix, n)
			default:
				out[key] = prefix + "-" + v.source
			}
		}
	}
	return out, nil
}

// volumeMounts turns volume entries into mounts under the volume policy.
func volumeMounts(cfg Config, list []string, jobVolumes map[string]string, what string) ([]mount.Mount, error) {
	var out []mount.Mount
	for _, s := range list {
		v, err := parseVolume(s)
		if err != nil {
			return nil, fmt.Errorf("%w: %s.volumes: %v", ErrBadOptions, what, err)
		}
		m := mount.Mount{Target: v.target, ReadOnly: v.readOnly}
		switch {
		case path.IsAbs(v.source):
			if !matchAny(cfg.ValidVolumes, path.Clean(v.source)) {
				return nil, fmt.Errorf("%w: %s.volumes: host path %s is not in container.valid_volumes; ask the runner's admin to allow it", ErrNotAllowed, what, v.source)
			}
			m.Type, m.Source = mount.TypeBind, path.Clean(v.source)
		case v.source != "" && matchAny(cfg.ValidVolumes, v.source):
			m.Type, m.Source = mount.TypeVolume, v.source
		default:
			name := jobVolumes[jobVolumeKey(what, v)]
			if name == "" {
				return nil, fmt.Errorf("%s.volumes: volume %q was not planned", what, s)
			}
			m.Type, m.Source = mount.TypeVolume, name
		}
		out = append(out, m)
	}
	return out, nil
}

// matchAny reports whether s matches one of the glob patterns, where *
// matches within a path segment and ** across segments.
func matchAny(patterns []string, s string) bool {
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
