package audit

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/pipeline/policy"
)

func openLog(t *testing.T, cfg Config) *Log {
	t.Helper()
	l, err := Open(cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func sample(job string) *Record {
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	return &Record{Time: at, Source: "daemon", TaskID: 7, Repository: "acme/app", Job: job, Result: "success",
		Labels: []string{"self-hosted"}, Images: []string{"node:20"}, Actions: []Action{{Uses: "actions/checkout@v4", Kind: "action", SHA: "abc"}},
		Decisions: []policy.Decision{{Rule: "r", Mode: policy.ModeDeny, Outcome: policy.OutcomeAllow}},
		Start:     at, End: at.Add(time.Second), DurationMS: 1000}
}

// TestWriteRead writes records and reads them back, and checks the
// file's mode.
func TestWriteRead(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "audit.log")
	l := openLog(t, Config{Path: path})
	want := []Record{*sample("a"), *sample("b")}
	for i := range want {
		if err := l.Write(&want[i]); err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	got, partial, err := ReadFile(path)
	if err != nil || partial {
		t.Fatalf("ReadFile = partial %v, %v", partial, err)
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("records (-got +want):\n%s", diff)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v (%v), want 0600", st.Mode().Perm(), err)
	}
	data, _ := os.ReadFile(path)
	if n := bytes.Count(data, []byte("\n")); n != 2 {
		t.Errorf("%d lines, want one per record:\n%s", n, data)
	}
}

// TestPartialLastLine: a partial last line (a writer killed mid-write)
// is skipped by Read, and cut off by the next Write; a bad line in the
// middle is an error.
func TestPartialLastLine(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "audit.log")
	l := openLog(t, Config{Path: path})
	if err := l.Write(sample("a")); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"time":"2026-05-01T12:00:00Z","source":"dae`)
	f.Close()
	recs, partial, err := ReadFile(path)
	if err != nil || !partial || len(recs) != 1 {
		t.Fatalf("ReadFile = %d records, partial %v, %v; want 1, true, nil", len(recs), partial, err)
	}
	if err := l.Write(sample("b")); err != nil {
		t.Fatal(err)
	}
	recs, partial, err = ReadFile(path)
	if err != nil || partial || len(recs) != 2 || recs[1].Job != "b" {
		t.Fatalf("after a Write: %d records, partial %v, %v; want a and b, whole", len(recs), partial, err)
	}
	// A file that is nothing but a partial line is emptied.
	os.WriteFile(path, []byte(`{"time":`), 0o600)
	if err := l.Write(sample("c")); err != nil {
		t.Fatal(err)
	}
	if recs, partial, err = ReadFile(path); err != nil || partial || len(recs) != 1 {
		t.Errorf("after a Write on a partial file: %d records, partial %v, %v", len(recs), partial, err)
	}
	if _, _, err := Read(strings.NewReader("{}\nnot json\n{}\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("Read of a bad middle line = %v, want an error naming line 2", err)
	}
}

// TestRotate rotates by size with two Logs on one file (two processes):
// rotated files keep every record, none is lost or torn, and the current
// file stays under the limit.
func TestRotate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	lineLen := func() int64 {
		var b bytes.Buffer
		l := openLog(t, Config{Path: filepath.Join(t.TempDir(), "x")})
		l.Write(sample("j000"))
		data, _ := os.ReadFile(l.cfg.Path)
		b.Write(data)
		return int64(b.Len())
	}()
	var tick sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time {
		tick.Lock()
		defer tick.Unlock()
		now = now.Add(time.Millisecond)
		return now
	}
	cfg := Config{Path: path, MaxSize: 3 * lineLen, Now: clock}
	logs := []*Log{openLog(t, cfg), openLog(t, cfg)}
	var wg sync.WaitGroup
	for w, l := range logs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				if err := l.Write(sample(fmt.Sprintf("w%dj%02d", w, i))); err != nil {
					t.Errorf("Write: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	files, _ := filepath.Glob(path + "*")
	seen := map[string]bool{}
	for _, f := range files {
		recs, partial, err := ReadFile(f)
		if err != nil || partial {
			t.Errorf("%s: partial %v, %v", f, partial, err)
		}
		st, _ := os.Stat(f)
		if st.Size() > cfg.MaxSize {
			t.Errorf("%s has %d bytes, over the maximum %d", f, st.Size(), cfg.MaxSize)
		}
		for _, r := range recs {
			seen[r.Job] = true
		}
	}
	if len(seen) != 40 {
		t.Errorf("%d distinct records in %d files, want all 40", len(seen), len(files))
	}
	if len(files) < 40/3 {
		t.Errorf("%d files, want the log rotated every 3 records", len(files))
	}
}

// TestSyslog forwards records to a syslog server on UDP.
func TestSyslog(t *testing.T) {
	t.Parallel()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	l := openLog(t, Config{Path: filepath.Join(t.TempDir(), "audit.log"), Syslog: "udp://" + pc.LocalAddr().String()})
	if err := l.Write(sample("forwarded")); err != nil {
		t.Fatalf("Write: %v", err)
	}
	pc.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 64*1024)
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatalf("no syslog message: %v", err)
	}
	msg := string(buf[:n])
	if !strings.Contains(msg, "anvil-audit") || !strings.Contains(msg, `"job":"forwarded"`) || !strings.HasPrefix(msg, "<38>") {
		t.Errorf("syslog message %q: want priority auth.info (<38>), tag anvil-audit and the record", msg)
	}
	for _, bad := range []string{"ftp://x", "udp://[::1"} {
		if _, err := Open(Config{Path: filepath.Join(t.TempDir(), "a"), Syslog: bad}); err == nil {
			t.Errorf("Open with syslog %q succeeded", bad)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	if _, err := Open(Config{}); err == nil {
		t.Error("Open without a path succeeded")
	}
	_, err := Open(Config{Path: filepath.Join(t.TempDir(), "missing", "audit.log")})
	if err == nil || !strings.Contains(err.Error(), "audit.file") {
		t.Errorf("Open in a missing directory = %v, want a hint", err)
	}
	l := openLog(t, Config{Path: filepath.Join(t.TempDir(), "a")})
	l.Close()
	if err := l.Write(sample("x")); !errors.Is(err, ErrNotWritten) {
		t.Errorf("Write after Close = %v, want ErrNotWritten", err)
	}
}
