package artifactclient

import (
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// v3URL is the run's artifacts URL with api-version, as getArtifactUrl.
func (c *Client) v3URL() string {
	return c.RuntimeURL + "_apis/pipelines/workflows/" + c.RunID + "/artifacts?api-version=6.0-preview"
}

// UploadV3 uploads every regular file under root as artifact name, each at
// itemPath name/RELATIVE, then finalizes it. retentionDays 0 leaves the
// server's default.
func (c *Client) UploadV3(ctx context.Context, name, root string, retentionDays int) error {
	create := map[string]any{"Type": "actions_storage", "Name": name}
	if retentionDays > 0 {
		create["RetentionDays"] = retentionDays
	}
	var container struct {
		FileContainerResourceURL string `json:"fileContainerResourceUrl"`
	}
	if err := c.doJSON(ctx, http.MethodPost, c.v3URL(), create, &container); err != nil {
		return fmt.Errorf("creating artifact %s: %w", name, err)
	}
	if container.FileContainerResourceURL == "" {
		return fmt.Errorf("creating artifact %s: no fileContainerResourceUrl in the reply", name)
	}
	var total int64
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		u, err := url.Parse(container.FileContainerResourceURL)
		if err != nil {
			return err
		}
		q := u.Query()
		q.Add("itemPath", name+"/"+filepath.ToSlash(rel))
		u.RawQuery = q.Encode()
		n, err := c.uploadFileV3(ctx, u.String(), p)
		total += n
		return err
	})
	if err != nil {
		return fmt.Errorf("uploading artifact %s: %w", name, err)
	}
	patch := c.v3URL() + "&artifactName=" + url.QueryEscape(name)
	if err := c.doJSON(ctx, http.MethodPatch, patch, map[string]int64{"Size": total}, nil); err != nil {
		return fmt.Errorf("finalizing artifact %s: %w", name, err)
	}
	return nil
}

// uploadFileV3 sends one file in chunks and returns its size.
func (c *Client) uploadFileV3(ctx context.Context, resourceURL, file string) (int64, error) {
	fi, err := os.Stat(file)
	if err != nil {
		return 0, err
	}
	src, size := file, fi.Size()
	if c.Gzip {
		gz, err := gzipFile(file)
		if err != nil {
			return 0, err
		}
		defer func() { _ = os.Remove(gz) }()
		gi, err := os.Stat(gz)
		if err != nil {
			return 0, err
		}
		src, size = gz, gi.Size()
	}
	f, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer func() { _ = f.Close() }()
	for start := int64(0); start < size || start == 0; start += c.chunkSize() {
		n := min(c.chunkSize(), size-start)
		if err := c.putChunkV3(ctx, resourceURL, io.NewSectionReader(f, start, n), start, n, size, fi.Size()); err != nil {
			return 0, err
		}
		if size == 0 {
			break
		}
	}
	return fi.Size(), nil
}

// putChunkV3 PUTs bytes [start, start+n) of a file of size total.
func (c *Client) putChunkV3(ctx context.Context, resourceURL string, chunk *io.SectionReader, start, n, total, rawSize int64) error {
	sum := md5.New()
	if _, err := io.Copy(sum, chunk); err != nil {
		return err
	}
	if _, err := chunk.Seek(0, io.SeekStart); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, resourceURL, chunk)
	if err != nil {
		return err
	}
	req.ContentLength = n
	if n == 0 {
		req.Body = http.NoBody
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, start+n-1, total))
	req.Header.Set("x-actions-results-md5", base64.StdEncoding.EncodeToString(sum.Sum(nil)))
	if c.Gzip {
		req.Header.Set("Content-Encoding", "gzip")
		req.Header.Set("x-tfs-filelength", strconv.FormatInt(rawSize, 10))
	}
	resp, err := c.do(req, true)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

func gzipFile(file string) (string, error) {
	in, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer func() { _ = in.Close() }()
	out, err := os.CreateTemp("", "artifact-*.gz")
	if err != nil {
		return "", err
	}
	zw := gzip.NewWriter(out)
	_, err = io.Copy(zw, in)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(out.Name())
		return "", err
	}
	return out.Name(), nil
}

// V3Artifact is one entry of the v3 list.
type V3Artifact struct {
	Name                     string `json:"name"`
	FileContainerResourceURL string `json:"fileContainerResourceUrl"`
}

// ListV3 lists the run's artifacts. The server answers 404 when there are
// none.
func (c *Client) ListV3(ctx context.Context) ([]V3Artifact, error) {
	var list struct {
		Count int          `json:"count"`
		Value []V3Artifact `json:"value"`
	}
	if err := c.doJSON(ctx, http.MethodGet, c.v3URL(), nil, &list); err != nil {
		return nil, fmt.Errorf("listing artifacts: %w", err)
	}
	if list.Count != len(list.Value) {
		return nil, fmt.Errorf("listing artifacts: count %d but %d values", list.Count, len(list.Value))
	}
	return list.Value, nil
}

// DownloadV3 downloads artifact name into dir, as download-artifact@v3:
// the files' paths below the artifact's name.
func (c *Client) DownloadV3(ctx context.Context, name, dir string) error {
	list, err := c.ListV3(ctx)
	if err != nil {
		return err
	}
	var container string
	for _, a := range list {
		if a.Name == name {
			container = a.FileContainerResourceURL
		}
	}
	if container == "" {
		return fmt.Errorf("downloading artifact %s: not in the run's list", name)
	}
	u, err := url.Parse(container)
	if err != nil {
		return err
	}
	q := u.Query()
	q.Add("itemPath", name)
	u.RawQuery = q.Encode()
	var items struct {
		Value []struct {
			Path            string `json:"path"`
			ItemType        string `json:"itemType"`
			ContentLocation string `json:"contentLocation"`
		} `json:"value"`
	}
	if err := c.doJSON(ctx, http.MethodGet, u.String(), nil, &items); err != nil {
		return fmt.Errorf("listing the files of artifact %s: %w", name, err)
	}
	for _, it := range items.Value {
		rel, ok := strings.CutPrefix(it.Path, name+"/")
		if it.ItemType != "file" || !ok {
			continue
		}
		target := filepath.Join(dir, filepath.FromSlash(rel))
		if !filepath.IsLocal(filepath.FromSlash(rel)) {
			return fmt.Errorf("downloading artifact %s: the server sent a path outside it: %q", name, it.Path)
		}
		if err := c.downloadFileV3(ctx, it.ContentLocation, target); err != nil {
			return fmt.Errorf("downloading %s of artifact %s: %w", rel, name, err)
		}
	}
	return nil
}

func (c *Client) downloadFileV3(ctx context.Context, location, target string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, location, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/octet-stream;api-version=6.0-preview")
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := c.do(req, true)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	var body io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return err
		}
		body = zr
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	out, err := os.Create(target)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, body)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
