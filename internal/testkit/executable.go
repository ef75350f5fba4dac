package testkit

import (
	"bytes"
	"os/exec"
	"testing"
)

// WriteExecutable writes data to path as an executable (mode 0755) that
// tests then run while other tests start processes. os.WriteFile would
// hold the file open for writing in this process, and a child forked by
// a parallel test inherits that descriptor until it execs; running the
// file in that window fails with "text file busy" (ETXTBSY, Go issue
// 22315). A child process writes it instead, so no descriptor of this
// process ever has it open for writing.
func WriteExecutable(tb testing.TB, path string, data []byte) {
	tb.Helper()
	cmd := exec.Command("sh", "-c", `cat > "$1" && chmod 755 "$1"`, "sh", path)
	cmd.Stdin = bytes.NewReader(data)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("writing the executable %s: %v\n%s", path, err, out)
	}
}
