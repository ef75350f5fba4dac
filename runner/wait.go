package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"codeberg.org/anvil-ci/anvil/forge"
)

// Pinger is the part of a forge client WaitForForge needs.
type Pinger interface {
	Ping(ctx context.Context, data string) error
}

// WaitForForge pings the forge until it answers, backing off (1s, 2s,
// 4s... up to 10s), for at most wait (anvil register and
// create-runner-file). address is only shown, so it comes redacted. It
// says once on stderr that it waits; an error that retrying cannot fix
// ends it at once.
func WaitForForge(ctx context.Context, client Pinger, address string, wait time.Duration, stderr io.Writer) error {
	deadline := time.Now().Add(wait)
	for attempt := 0; ; attempt++ {
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := client.Ping(pctx, "anvil")
		cancel()
		if err == nil {
			return nil
		}
		if !errors.Is(err, forge.ErrRetryable) {
			return fmt.Errorf("reaching the forge at %s: %w (check --instance: it is the forge's base URL)", address, err)
		}
		pause := min(time.Second<<min(attempt, 4), 10*time.Second)
		if time.Now().Add(pause).After(deadline) {
			return fmt.Errorf("the forge at %s did not answer within %s: %w (check the address and that the forge is up, or give it longer with --wait)", address, wait, err)
		}
		if attempt == 0 {
			fmt.Fprintf(stderr, "anvil: waiting for the forge at %s to answer (up to %s)...\n", address, wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
}
