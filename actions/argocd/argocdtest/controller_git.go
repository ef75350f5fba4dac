package argocdtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// resource is one Kubernetes object the application's path renders to.
type resource struct {
	Group, Version, Kind, Namespace, Name string
	// Hash stands for the object's content (with kustomize images
	// applied), to tell synced from changed.
	Hash string
}

func (r resource) key() string {
	return r.Group + "/" + r.Kind + "/" + r.Namespace + "/" + r.Name
}

// workload reports kinds whose health follows rollouts.
func (r resource) workload() bool {
	switch r.Kind {
	case "Deployment", "StatefulSet", "DaemonSet", "Rollout":
		return true
	}
	return false
}

// manifests is what the path holds at one commit.
type manifests struct {
	Resources map[string]resource
	Images    []string
	// Kustomize is set when the path holds a kustomization.
	Kustomize bool
}

// gitCache reads a bare repository with real git and caches what a commit
// renders to (commits never change).
type gitCache struct {
	git string
	mu  sync.Mutex
	at  map[string]*manifests // dir + sha + path
}

func newGitCache(git string) *gitCache {
	return &gitCache{git: git, at: map[string]*manifests{}}
}

func (g *gitCache) run(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, g.git, append([]string{"--git-dir", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s in %s: %w: %s", strings.Join(args, " "), dir, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// errUnresolved means a revision names no commit.
var errUnresolved = errors.New("unresolved revision")

// resolve turns a branch, tag, HEAD or (short) commit into a commit SHA.
func (g *gitCache) resolve(ctx context.Context, dir, rev string) (string, error) {
	if rev == "" {
		rev = "HEAD"
	}
	out, err := g.run(ctx, dir, "rev-parse", "--verify", "--quiet", rev+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("%w: unable to resolve '%s' to a commit SHA", errUnresolved, rev)
	}
	return strings.TrimSpace(string(out)), nil
}

// manifests renders dir's path at sha: every Kubernetes object of its
// YAML files, with a kustomization's images applied.
func (g *gitCache) manifests(ctx context.Context, dir, sha, p string) (*manifests, error) {
	key := dir + "\x00" + sha + "\x00" + p
	g.mu.Lock()
	m, ok := g.at[key]
	g.mu.Unlock()
	if ok {
		return m, nil
	}
	p = strings.Trim(path.Clean("/"+p), "/")
	args := []string{"ls-tree", "-r", "--name-only", sha}
	if p != "" {
		args = append(args, "--", p+"/")
	}
	out, err := g.run(ctx, dir, args...)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, f := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.HasSuffix(f, ".yaml") || strings.HasSuffix(f, ".yml") {
			files = append(files, f)
		}
	}
	sort.Strings(files)
	m = &manifests{Resources: map[string]resource{}}
	var docs []map[string]any
	imageMap := map[string]string{}
	var kustomize []byte
	for _, f := range files {
		data, err := g.run(ctx, dir, "show", sha+":"+f)
		if err != nil {
			return nil, err
		}
		fileDocs, err := decodeAll(data)
		if err != nil {
			return nil, fmt.Errorf("parsing %s at %s: %w", f, sha, err)
		}
		for _, d := range fileDocs {
			if path.Base(f) == "kustomization.yaml" || d["kind"] == "Kustomization" {
				kustomize = append(kustomize, data...)
				readKustomizeImages(d, imageMap)
				continue
			}
			docs = append(docs, d)
		}
	}
	m.Kustomize = kustomize != nil
	seen := map[string]bool{}
	for _, d := range docs {
		r, ok := toResource(d)
		if !ok {
			continue
		}
		imgs := findImages(d, imageMap)
		for _, img := range imgs {
			if !seen[img] {
				seen[img] = true
				m.Images = append(m.Images, img)
			}
		}
		sum := sha256.New()
		_ = yaml.NewEncoder(sum).Encode(d)
		_, _ = io.WriteString(sum, strings.Join(imgs, ","))
		sum.Write(kustomize)
		r.Hash = hex.EncodeToString(sum.Sum(nil))
		m.Resources[r.key()] = r
	}
	sort.Strings(m.Images)
	g.mu.Lock()
	g.at[key] = m
	g.mu.Unlock()
	return m, nil
}

func decodeAll(data []byte) ([]map[string]any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []map[string]any
	for {
		var d map[string]any
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if d != nil {
			docs = append(docs, d)
		}
	}
}

func toResource(d map[string]any) (resource, bool) {
	kind, _ := d["kind"].(string)
	meta, _ := d["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	if kind == "" || name == "" {
		return resource{}, false
	}
	ns, _ := meta["namespace"].(string)
	api, _ := d["apiVersion"].(string)
	group, version := "", api
	if i := strings.LastIndex(api, "/"); i >= 0 {
		group, version = api[:i], api[i+1:]
	}
	return resource{Group: group, Version: version, Kind: kind, Namespace: ns, Name: name}, true
}

// readKustomizeImages reads a kustomization's images: into name → new
// reference.
func readKustomizeImages(d map[string]any, into map[string]string) {
	list, _ := d["images"].([]any)
	for _, e := range list {
		img, _ := e.(map[string]any)
		name, _ := img["name"].(string)
		if name == "" {
			continue
		}
		ref := name
		if n, ok := img["newName"].(string); ok && n != "" {
			ref = n
		}
		switch {
		case img["digest"] != nil:
			ref += "@" + fmt.Sprint(img["digest"])
		case img["newTag"] != nil:
			ref += ":" + fmt.Sprint(img["newTag"])
		}
		into[name] = ref
	}
}

// findImages collects the image: values of d, rewritten by kustomize
// images.
func findImages(d any, rewrite map[string]string) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if s, ok := v[k].(string); ok && k == "image" {
					out = append(out, rewriteImage(s, rewrite))
					continue
				}
				walk(v[k])
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(d)
	return out
}

func rewriteImage(ref string, rewrite map[string]string) string {
	name := ref
	if i := strings.IndexAny(ref, "@"); i >= 0 {
		name = ref[:i]
	} else if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		name = ref[:i]
	}
	if r, ok := rewrite[name]; ok {
		return r
	}
	return ref
}
