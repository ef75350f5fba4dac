package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/docker/docker/api/types/build"
)

// maxBuildContext bounds the build context of a Dockerfile action.
const maxBuildContext = 256 << 20

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
