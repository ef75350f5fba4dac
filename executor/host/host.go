package host

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
)

// defaultGrace is how long an interrupted process gets before it is killed
// when Config.Grace is zero.
const defaultGrace = 10 * time.Second

// Config tunes the host backend. The zero value is usable.
type Config struct {
	// Grace is how long a cancelled step's processes get between SIGINT and
	// SIGKILL. Default 10s.
	Grace time.Duration
}

// Backend runs jobs on the local machine.
type Backend struct {
	cfg Config
}

var _ executor.Backend = (*Backend)(nil)

// New returns a host Backend. On Linux it makes this process the child
// subreaper of its descendants (see Environment.Close).
func New(cfg Config) *Backend {
	if cfg.Grace <= 0 {
		cfg.Grace = defaultGrace
	}
	becomeSubreaper()
	return &Backend{cfg: cfg}
}

// Prepare creates spec.Root, spec.Workspace and spec.Temp (mode 0755) when
// they are missing and returns an Environment running processes here.
func (b *Backend) Prepare(ctx context.Context, spec executor.JobSpec) (executor.Environment, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("preparing host environment for job %q: %w", spec.JobID, err)
	}
	if err := supported(); err != nil {
		return nil, err
	}
	if spec.Root == "" {
		return nil, fmt.Errorf("preparing host environment for job %q: the job spec has no root directory", spec.JobID)
	}
	if spec.Container != nil || len(spec.Services) > 0 {
		return nil, fmt.Errorf("preparing host environment for job %q: the job asks for containers (container: or services:), which the host executor cannot run: map its runs-on label to a docker:// image", spec.JobID)
	}
	for _, dir := range []string{spec.Root, spec.Workspace, spec.Temp, spec.BinDir} {
		if dir == "" {
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating job directory %q: %w", dir, err)
		}
	}
	if spec.SelfBinary != "" && spec.BinDir != "" {
		link := filepath.Join(spec.BinDir, "anvil")
		_ = os.Remove(link)
		if err := os.Symlink(spec.SelfBinary, link); err != nil {
			return nil, fmt.Errorf("making anvil available to the job: %w", err)
		}
	}
	return newEnvironment(b.cfg.Grace, spec.JobID), nil
}
