package docker

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"codeberg.org/anvil-ci/anvil/executor"
)

// RootPath is where the job's root directory (scripts, env files, temp,
// tool cache) appears in every container of the job.
const RootPath = "/anvil"

// DefaultWorkdirParent is where workspaces go in containers by default:
// the workspace is WorkdirParent/owner/repo, as on GitHub's runners.
const DefaultWorkdirParent = "/workspace"

// bind is one host directory mounted into the job's containers.
type bind struct {
	host, container string
}

// layout maps the job's directories on this machine to container paths.
type layout struct {
	// binds are sorted so that the longest host path comes first, which
	// makes the most specific mount win in path.
	binds     []bind
	workspace string // the workspace in the containers
	root      string // the job root on this machine
	// shared is the mount of the workspace (or its parent), which
	// services see too.
	shared bind
}

// newLayout places spec's directories in containers: the workspace at
// parent/owner/repo (spec.Repository; the workspace's directory name when
// it has none) and everything else of spec.Root under RootPath.
func newLayout(spec executor.JobSpec, parent string) (layout, error) {
	if parent == "" {
		parent = DefaultWorkdirParent
	}
	parent = path.Clean(parent)
	if !path.IsAbs(parent) || parent == "/" || within(parent, RootPath) || within(RootPath, parent) {
		return layout{}, fmt.Errorf("workdir parent %q must be an absolute directory other than / that does not overlap %s", parent, RootPath)
	}
	if spec.Root == "" || !filepath.IsAbs(spec.Root) {
		return layout{}, fmt.Errorf("the job spec's root %q is not an absolute directory", spec.Root)
	}
	l := layout{root: filepath.Clean(spec.Root)}
	l.binds = append(l.binds, bind{host: l.root, container: RootPath})
	if spec.Workspace != "" {
		ws := filepath.Clean(spec.Workspace)
		repo := strings.Trim(spec.Repository, "/")
		owner, name, ok := strings.Cut(repo, "/")
		if !ok || owner == "" || name == "" || strings.Contains(name, "/") || !safeSegment(owner) || !safeSegment(name) {
			owner, name = "", filepath.Base(ws)
		}
		l.workspace = path.Join(parent, owner, name)
		l.shared = bind{host: ws, container: l.workspace}
		if filepath.Base(ws) == name && owner != "" {
			// Mount the workspace's parent, so that RUNNER_WORKSPACE
			// (the parent) is the workspace's parent in the container too.
			l.shared = bind{host: filepath.Dir(ws), container: path.Dir(l.workspace)}
		}
		l.binds = append(l.binds, l.shared)
	}
	if spec.Temp != "" && !withinHost(filepath.Clean(spec.Temp), l.root) {
		l.binds = append(l.binds, bind{host: filepath.Clean(spec.Temp), container: path.Join(RootPath, ".temp")})
	}
	sort.SliceStable(l.binds, func(i, j int) bool { return len(l.binds[i].host) > len(l.binds[j].host) })
	return l, nil
}

// path returns hostPath as the containers see it, and whether it lies in
// one of the mounted directories.
func (l layout) path(hostPath string) (string, bool) {
	if hostPath == "" || !filepath.IsAbs(hostPath) {
		return hostPath, false
	}
	p := filepath.Clean(hostPath)
	for _, b := range l.binds {
		if rel, ok := relWithin(p, b.host); ok {
			return path.Join(b.container, filepath.ToSlash(rel)), true
		}
	}
	return hostPath, false
}

// hostPath is the inverse of path: the file on this machine behind a
// container path, if it is in a mounted directory.
func (l layout) hostPath(containerPath string) (string, bool) {
	if !path.IsAbs(containerPath) {
		return "", false
	}
	p := path.Clean(containerPath)
	best := -1
	for i, b := range l.binds {
		if within(p, b.container) && (best < 0 || len(b.container) > len(l.binds[best].container)) {
			best = i
		}
	}
	if best < 0 {
		return "", false
	}
	rel := strings.TrimPrefix(strings.TrimPrefix(p, l.binds[best].container), "/")
	return filepath.Join(l.binds[best].host, filepath.FromSlash(rel)), true
}

// within reports whether slash path p is dir or below it.
func within(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}

// withinHost reports whether host path p is dir or below it.
func withinHost(p, dir string) bool {
	_, ok := relWithin(p, dir)
	return ok
}

// relWithin returns p relative to dir when p is dir or below it.
func relWithin(p, dir string) (string, bool) {
	if p == dir {
		return ".", true
	}
	prefix := strings.TrimSuffix(dir, string(filepath.Separator)) + string(filepath.Separator)
	if !strings.HasPrefix(p, prefix) {
		return "", false
	}
	return strings.TrimPrefix(p, prefix), true
}

// safeSegment reports whether s can be one directory name in a container
// path.
func safeSegment(s string) bool {
	return s != "." && s != ".." && !strings.ContainsAny(s, "/\x00")
}
