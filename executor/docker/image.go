package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/registry"
)

// LabelActionImage marks images built from docker actions' Dockerfiles.
// They are kept between jobs as a cache, tagged by the content of their
// build context.
const LabelActionImage = "anvil.action-image"

// maxBuildContext bounds the build context of a Dockerfile action.
const maxBuildContext = 256 << 20

// ensureImage makes ref available in the engine: a local image is used
// as is unless force, a missing one is pulled with creds (username and
// password of container.credentials).
func ensureImage(ctx context.Context, cli Client, ref string, force bool, creds map[string]string) error {
	if ref == "" {
		return fmt.Errorf("%w: no image given", ErrImageUnavailable)
	}
	_, err := cli.ImageInspect(ctx, ref)
	switch {
	case err == nil && !force:
		return nil
	case err != nil && !cerrdefs.IsNotFound(err):
		return fmt.Errorf("inspecting image %s: %w", ref, err)
	}
	present := err == nil
	if err := pull(ctx, cli, ref, creds); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("pulling image %s: %w", ref, ctx.Err())
		}
		if present {
			return fmt.Errorf("%w: pulling image %s (forced with --pull): cannot pull, no registry reachable? %v; drop --pull to use the local image", ErrImageUnavailable, ref, err)
		}
		return fmt.Errorf("%w: image %s is not in the Docker engine and cannot be pulled (no registry reachable?): %v; build or load %s first (docker build -t / docker load)", ErrImageUnavailable, ref, err, ref)
	}
	return nil
}

// pull pulls ref and reads the progress stream to its end, which carries
// the errors of a failed pull.
func pull(ctx context.Context, cli Client, ref string, creds map[string]string) error {
	opts := image.PullOptions{}
	if creds["username"] != "" || creds["password"] != "" {
		auth, err := registry.EncodeAuthConfig(registry.AuthConfig{Username: creds["username"], Password: creds["password"]})
		if err != nil {
			return fmt.Errorf("encoding registry credentials: %w", err)
		}
		opts.RegistryAuth = auth
	}
	rc, err := cli.ImagePull(ctx, ref, opts)
	if err != nil {
		return err
	}
	defer rc.Close()
	return readProgress(rc, io.Discard)
}

// buildImage builds the image of a docker action from dockerfile with its
// directory as the build context and returns its tag. The tag is the
// context's content hash, so an unchanged action is built once.
func buildImage(ctx context.Context, cli Client, dockerfile string, pullParent bool) (string, error) {
	dir := filepath.Dir(dockerfile)
	rel, err := filepath.Rel(dir, dockerfile)
	if err != nil {
		return "", fmt.Errorf("locating the Dockerfile %s: %w", dockerfile, err)
	}
	if _, err := os.Stat(dockerfile); err != nil {
		return "", fmt.Errorf("reading the action's Dockerfile: %w", err)
	}
	tarball, sum, err := tarDir(dir)
	if err != nil {
		return "", fmt.Errorf("packing the build context %s: %w", dir, err)
	}
	tag := "anvil-action/" + strings.ToLower(filepath.Base(dir)) + ":" + sum[:16]
	tag = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("/:._-", r) {
			return r
		}
		return '-'
	}, tag)
	if _, err := cli.ImageInspect(ctx, tag); err == nil && !pullParent {
		return tag, nil
	}
	resp, err := cli.ImageBuild(ctx, bytes.NewReader(tarball), build.ImageBuildOptions{
		Tags:        []string{tag},
		Dockerfile:  filepath.ToSlash(rel),
		Remove:      true,
		ForceRemove: true,
		PullParent:  pullParent,
		Labels:      map[string]string{LabelActionImage: "true"},
	})
	if err != nil {
		return "", fmt.Errorf("building the action image from %s: %w", dockerfile, err)
	}
	defer resp.Body.Close()
	var log tailBuffer
	if err := readProgress(resp.Body, &log); err != nil {
		return "", fmt.Errorf("building the action image from %s: %w\n%s", dockerfile, err, log.String())
	}
	return tag, nil
}

// tarDir packs dir into a tar archive and returns it with the SHA-256 of
// its content.
func tarDir(dir string) ([]byte, string, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		link := ""
		if info.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		}
		hdr, err := tar.FileInfoHeader(info, link)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		hdr.Name = filepath.ToSlash(rel)
		// Stable content: only names, modes, links and bytes count.
		hdr.ModTime, hdr.AccessTime, hdr.ChangeTime = time.Unix(0, 0), time.Time{}, time.Time{}
		hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if info.Mode().IsRegular() {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			_, err = io.Copy(tw, f)
			f.Close()
			if err != nil {
				return err
			}
		}
		if buf.Len() > maxBuildContext {
			return fmt.Errorf("the build context is larger than %d MiB", maxBuildContext>>20)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	if err := tw.Close(); err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(buf.Bytes())
	return buf.Bytes(), hex.EncodeToString(sum[:]), nil
}

// tailBuffer keeps the last lines written to it, for error messages.
type tailBuffer struct {
	lines []string
	part  []byte
}

const tailLines = 20

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.part = append(t.part, p...)
	for {
		i := bytes.IndexByte(t.part, '\n')
		if i < 0 {
			break
		}
		t.lines = append(t.lines, string(t.part[:i]))
		t.part = t.part[i+1:]
		if len(t.lines) > tailLines {
			t.lines = t.lines[len(t.lines)-tailLines:]
		}
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	lines := t.lines
	if len(t.part) > 0 {
		lines = append(lines, string(t.part))
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// progressMessage is one message of a pull or build progress stream.
type progressMessage struct {
	Stream      string `json:"stream"`
	Status      string `json:"status"`
	Error       string `json:"error"`
	ErrorDetail *struct {
		Message string `json:"message"`
	} `json:"errorDetail"`
}

// readProgress reads a progress stream to its end, writing its build
// output (stream) and status lines to out, and returns the error the
// stream reports, if any.
func readProgress(r io.Reader, out io.Writer) error {
	dec := json.NewDecoder(r)
	for {
		var m progressMessage
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("reading the engine's progress: %w", err)
		}
		switch {
		case m.ErrorDetail != nil && m.ErrorDetail.Message != "":
			return errors.New(m.ErrorDetail.Message)
		case m.Error != "":
			return errors.New(m.Error)
		case m.Stream != "":
			io.WriteString(out, m.Stream)
		case m.Status != "":
			io.WriteString(out, m.Status+"\n")
		}
	}
}

// isNotFound reports a Docker "no such object" error.
func isNotFound(err error) bool {
	return err != nil && cerrdefs.IsNotFound(err)
}

// isRemovalInProgress reports Docker's conflict for a container already
// being removed.
func isRemovalInProgress(err error) bool {
	return err != nil && cerrdefs.IsConflict(err)
}
