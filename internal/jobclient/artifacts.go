package main

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"codeberg.org/anvil-ci/anvil/artifacts/artifactclient"
)

// runArtifact uploads or downloads artifact name: v3 file by file, v4 as
// one zip of dir.
func runArtifact(ctx context.Context, cmd, name, dir string, getenv func(string) string) error {
	c, err := artifactclient.FromEnv(getenv)
	if err != nil {
		return err
	}
	switch cmd {
	case "upload-v3":
		err = c.UploadV3(ctx, name, dir, 0)
	case "upload-v4":
		_, err = c.UploadV4Dir(ctx, name, dir)
	case "download-v3":
		err = c.DownloadV3(ctx, name, dir)
	case "download-v4":
		err = downloadV4(ctx, c, name, dir)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", cmd, name, err)
	}
	fmt.Printf("%s %s: done\n", cmd, name)
	return nil
}

// downloadV4 downloads the zip of artifact name and extracts it into dir,
// as download-artifact@v4 does.
func downloadV4(ctx context.Context, c *artifactclient.Client, name, dir string) error {
	tmp, err := os.CreateTemp("", "artifact-*.zip")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	defer func() { _ = tmp.Close() }()
	if err := c.DownloadV4(ctx, name, tmp); err != nil {
		return err
	}
	st, err := tmp.Stat()
	if err != nil {
		return err
	}
	zr, err := zip.NewReader(tmp, st.Size())
	if err != nil {
		return fmt.Errorf("reading the artifact's zip: %w", err)
	}
	for _, f := range zr.File {
		if err := extract(f, dir); err != nil {
			return err
		}
	}
	return nil
}

// extract writes the zip entry f below dir.
func extract(f *zip.File, dir string) error {
	target := filepath.Join(dir, filepath.FromSlash(f.Name))
	if rel, err := filepath.Rel(dir, target); err != nil || strings.HasPrefix(rel, "..") {
		return fmt.Errorf("the artifact's zip has an entry outside its directory: %q", f.Name)
	}
	if strings.HasSuffix(f.Name, "/") {
		return os.MkdirAll(target, 0o755)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	r, err := f.Open()
	if err != nil {
		return err
	}
	defer func() { _ = r.Close() }()
	w, err := os.Create(target)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		_ = w.Close()
		return err
	}
	return w.Close()
}
