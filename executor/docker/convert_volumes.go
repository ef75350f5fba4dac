package docker

import (
	"fmt"
	"path"
	"sort"

	"github.com/docker/docker/api/types/mount"

	"codeberg.org/anvil-ci/anvil/pipeline/runopt"
)

// volumeSpec is one parsed volumes: entry.
type volumeSpec = runopt.Volume

// jobVolumeKey is the key of an anonymous volume in the volumes map.
func jobVolumeKey(what string, v volumeSpec) string {
	if v.Source == "" {
		return what + ":" + v.Target
	}
	return v.Source
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
			v, err := runopt.ParseVolume(s)
			if err != nil {
				return nil, fmt.Errorf("%w: %s.volumes: %v", ErrBadOptions, what, err)
			}
			key := jobVolumeKey(what, v)
			switch {
			case path.IsAbs(v.Source):
				continue
			case v.Source != "" && runopt.Allowed(cfg.ValidVolumes, v.Source):
				continue
			case out[key] != "":
				continue
			case v.Source == "":
				n++
				out[key] = fmt.Sprintf("%s-anon-%d", prefix, n)
			default:
				out[key] = prefix + "-" + v.Source
			}
		}
	}
	return out, nil
}

// volumeMounts turns volume entries into mounts under the volume policy.
func volumeMounts(cfg Config, list []string, jobVolumes map[string]string, what string) ([]mount.Mount, error) {
	var out []mount.Mount
	for _, s := range list {
		v, err := runopt.ParseVolume(s)
		if err != nil {
			return nil, fmt.Errorf("%w: %s.volumes: %v", ErrBadOptions, what, err)
		}
		m := mount.Mount{Target: v.Target, ReadOnly: v.ReadOnly}
		switch {
		case path.IsAbs(v.Source):
			if err := cfg.policy().CheckHostPath(what, v.Source); err != nil {
				return nil, err
			}
			m.Type, m.Source = mount.TypeBind, path.Clean(v.Source)
		case v.Source != "" && runopt.Allowed(cfg.ValidVolumes, v.Source):
			m.Type, m.Source = mount.TypeVolume, v.Source
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
