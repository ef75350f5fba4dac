//go:build unix

package audit

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// helperEnv names the file a re-executed test binary writes to.
const helperEnv = "ANVIL_AUDIT_KILL_HELPER"

// TestKillHelper is not a test: re-executed by TestSIGKILLMidWrite, it
// writes large records to the file in helperEnv until it is killed.
func TestKillHelper(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("run by TestSIGKILLMidWrite only")
	}
	l, err := Open(Config{Path: path})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	big := strings.Repeat("x", 2<<20)
	for i := 0; ; i++ {
		rec := sample(fmt.Sprintf("job-%d", i))
		rec.Error = big
		if err := l.Write(rec); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(4)
		}
	}
}

// TestSIGKILLMidWrite kills a process writing 2 MiB records with SIGKILL,
// several times, each at a moment the file is growing (a write of that
// size is often cut short by the kill): every line but
// perhaps the last is a whole record, Read skips a partial last line,
// and the next writer cuts it off so that the file is whole again.
func TestSIGKILLMidWrite(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "audit.log")
	total := 0
	for round := range 4 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillHelper$")
		cmd.Env = append(os.Environ(), helperEnv+"="+path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill once a record more is in the file, at a moment that moves
		// each round.
		start := fileSize(path)
		deadline := time.Now().Add(30 * time.Second)
		for fileSize(path) < start+2<<20+1024 && time.Now().Before(deadline) {
			time.Sleep(100 * time.Microsecond)
		}
		time.Sleep(time.Duration(round*3) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(interface{ Signaled() bool }); !ok || !ws.Signaled() {
			t.Fatalf("the writer was not killed: %v", err)
		}
		recs, partial, err := ReadFile(path)
		if err != nil {
			t.Fatalf("round %d: a torn line before the last: %v", round, err)
		}
		if len(recs) <= total {
			t.Fatalf("round %d: %d records, had %d before: the writer wrote nothing", round, len(recs), total)
		}
		total = len(recs)
		t.Logf("round %d: %d records, partial last line %v", round, len(recs), partial)
	}
	l := openLog(t, Config{Path: path})
	if err := l.Write(sample("after")); err != nil {
		t.Fatal(err)
	}
	recs, partial, err := ReadFile(path)
	if err != nil || partial || recs[len(recs)-1].Job != "after" || len(recs) != total+1 {
		t.Errorf("after a new write: %d records (want %d), partial %v, %v", len(recs), total+1, partial, err)
	}
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}
