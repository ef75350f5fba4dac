package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/forge"
)

// pings answers Ping with its errors in turn, then nil.
type pings struct {
	errs  []error
	calls int
}

func (p *pings) Ping(context.Context, string) error {
	p.calls++
	if len(p.errs) == 0 {
		return nil
	}
	err := p.errs[0]
	p.errs = p.errs[1:]
	return err
}

func TestWaitForForge(t *testing.T) {
	t.Parallel()
	down := fmt.Errorf("503: %w", forge.ErrRetryable)
	tests := []struct {
		name      string
		errs      []error
		wait      time.Duration
		wantCalls int
		wantErr   string
		wantNote  bool
	}{
		{name: "up", wait: time.Minute, wantCalls: 1},
		{name: "up after one retry", errs: []error{down}, wait: time.Minute, wantCalls: 2, wantNote: true},
		{name: "a wrong address fails at once", errs: []error{errors.New("404")}, wait: time.Minute, wantCalls: 1,
			wantErr: "reaching the forge at https://f: 404 (check --instance"},
		{name: "down longer than wait", errs: []error{down, down}, wait: 10 * time.Millisecond, wantCalls: 1,
			wantErr: "the forge at https://f did not answer within 10ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &pings{errs: tt.errs}
			var stderr strings.Builder
			err := WaitForForge(context.Background(), p, "https://f", tt.wait, &stderr)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("WaitForForge = %v, want error %q", err, tt.wantErr)
			}
			if p.calls != tt.wantCalls {
				t.Errorf("%d pings, want %d", p.calls, tt.wantCalls)
			}
			if got := strings.Contains(stderr.String(), "waiting for the forge at https://f"); got != tt.wantNote {
				t.Errorf("stderr %q: says it waits %v, want %v", stderr.String(), got, tt.wantNote)
			}
		})
	}
}

func TestCheckLabels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		labels  []string
		wantErr string
	}{
		{labels: []string{"self-hosted:host", "node:docker://node:20", "bare"}},
		{labels: []string{"x:vm", "ok:host", ":host"}, wantErr: `label "x:vm" has schema "vm"; anvil knows host and docker://IMAGE; label ":host" has no name`},
	}
	for _, tt := range tests {
		err := CheckLabels(tt.labels)
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("CheckLabels(%q) = %v, want no error", tt.labels, err)
			}
			continue
		}
		if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
			t.Errorf("CheckLabels(%q) = %v, want error %q", tt.labels, err, tt.wantErr)
		}
	}
}
