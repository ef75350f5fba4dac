package cache_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/cache"
	"codeberg.org/anvil-ci/anvil/cache/cachetest"
)

// helperEnv, set to a directory, makes the test binary a cache server
// (the helper-process pattern): it prints its URL and serves until its
// stdin closes. Benchmarks and memory tests measure it from outside.
const helperEnv = "ANVIL_CACHE_TEST_SERVER_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		if err := helperServer(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func helperServer(dir string) error {
	srv, err := cache.Open(context.Background(), cache.Options{Dir: dir, Secret: testSecret, MaxSize: 4 << 30})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	fmt.Printf("http://%s\n", ln.Addr())
	return srv.Serve(ctx, ln)
}

// serverProcess is a cache server in a child process.
type serverProcess struct {
	url string
	cmd *exec.Cmd
}

// startServerProcess starts the test binary as a cache server.
func startServerProcess(tb testing.TB) *serverProcess {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+tb.TempDir())
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			tb.Errorf("cache server process: %v", err)
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		tb.Fatalf("reading the cache server's URL: %v", err)
	}
	return &serverProcess{url: strings.TrimSpace(line), cmd: cmd}
}

// memory returns the child's current and peak resident set in bytes.
func (p *serverProcess) memory(tb testing.TB) (rss, peak int64) {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		tb.Skipf("no /proc/PID/status (%v): the server's resident memory cannot be measured on this system", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		name, val, _ := strings.Cut(line, ":")
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		switch name {
		case "VmRSS":
			rss = kb << 10
		case "VmHWM":
			peak = kb << 10
		}
	}
	return rss, peak
}

// client returns credentials of scope for the child server.
func (p *serverProcess) client(tb testing.TB, s cache.Scope) *cachetest.Client {
	tb.Helper()
	iss, err := cache.NewIssuer(testSecret, 0, nil)
	if err != nil {
		tb.Fatal(err)
	}
	creds, err := iss.JobCredentials(p.url, s)
	if err != nil {
		tb.Fatal(err)
	}
	return &cachetest.Client{CacheURL: creds.CacheURL, ResultsURL: creds.ResultsURL, Token: creds.Token}
}
