package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/registry"
)

// LabelActionImage marks images built from docker actions' Dockerfiles.
// They are kept between jobs as a cache, tagged by the content of their
// build context.
const LabelActionImage = "anvil.action-image"

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
