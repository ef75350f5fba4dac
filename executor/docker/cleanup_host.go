package docker

import (
	"context"
	"time"
)

// hostCleanupTimeout bounds CleanupHost.
const hostCleanupTimeout = 2 * time.Minute

// CleanupHost connects to the engine at host (DefaultHost when empty) and
// runs Cleanup there, for at most two minutes. The daemon calls it on
// start when a label runs jobs in containers.
func CleanupHost(ctx context.Context, host string) (Removed, error) {
	cli, err := NewClient(host)
	if err != nil {
		return Removed{}, err
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(ctx, hostCleanupTimeout)
	defer cancel()
	return Cleanup(ctx, cli)
}
