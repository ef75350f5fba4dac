package runner

import (
	"testing"
	"time"
)

func TestPacer(t *testing.T) {
	t.Parallel()
	pace := Config{}.withDefaults().Pace
	now := time.Unix(1700000000, 0)
	tests := []struct {
		name  string
		since time.Duration // since a task arrived or ended
		fails int
		want  time.Duration
	}{
		{name: "right after a task", since: 200 * time.Millisecond, want: 100 * time.Millisecond},
		{name: "a few seconds after", since: 3 * time.Second, want: 500 * time.Millisecond},
		{name: "idle", since: 30 * time.Second, want: 2 * time.Second},
		{name: "idle for long", since: 2 * time.Minute, want: 5 * time.Second},
		{name: "first failure", since: 30 * time.Second, fails: 1, want: 2 * time.Second},
		{name: "failures back off", since: 30 * time.Second, fails: 3, want: 8 * time.Second},
		{name: "backoff is bounded", since: time.Second, fails: 20, want: 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &pacer{pace: pace, interval: 2 * time.Second, lastWork: now.Add(-tt.since), fails: tt.fails}
			if got := p.next(now); got != tt.want {
				t.Errorf("next() = %s, want %s", got, tt.want)
			}
		})
	}
}

// An idle runner never polls more often than forgejo-runner's 30 times a
// minute, however long it idles.
func TestPacerIdleRate(t *testing.T) {
	t.Parallel()
	pace := Config{}.withDefaults().Pace
	start := time.Unix(1700000000, 0)
	p := &pacer{pace: pace, interval: 2 * time.Second, lastWork: start.Add(-pace.BriskFor)}
	now := start
	perMinute := map[int]int{}
	for now.Sub(start) < 5*time.Minute {
		perMinute[int(now.Sub(start)/time.Minute)]++
		now = now.Add(p.next(now))
	}
	for m, n := range perMinute {
		if n > 30 {
			t.Errorf("minute %d: %d polls, want at most 30", m, n)
		}
	}
	if perMinute[3] != 12 {
		t.Errorf("after a minute idle: %d polls a minute, want 12 (every 5s)", perMinute[3])
	}
}
