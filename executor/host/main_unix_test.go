//go:build unix

package host

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// helperArg as os.Args[1] makes the test binary act as a child process for
// the tests (the helper-process pattern): os.Args[2] names what to do.
const helperArg = "anvil-host-test-helper"

func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == helperArg {
		os.Exit(runHelper(os.Args[2], os.Args[3:]))
	}
	os.Exit(m.Run())
}

// helper returns the Args that run this test binary as helper mode.
func helper(t *testing.T, mode string, args ...string) []string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatalf("finding the test binary: %v", err)
	}
	return append([]string{exe, helperArg, mode}, args...)
}

// runHelper is the child process's main; it returns the exit code.
func runHelper(mode string, args []string) int {
	switch mode {
	case "env":
		for _, kv := range os.Environ() {
			fmt.Println(kv)
		}
		return 0
	case "pwd":
		wd, err := os.Getwd()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println(wd)
		return 0
	case "exit":
		code, err := strconv.Atoi(args[0])
		if err != nil {
			return 100
		}
		return code
	case "interleave":
		// Unbuffered writes alternating between the two streams.
		for i := range 50 {
			fmt.Fprintf(os.Stdout, "out %d\n", i)
			fmt.Fprintf(os.Stderr, "err %d\n", i)
		}
		return 0
	case "trap":
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGINT)
		fmt.Println("ready")
		<-sigs
		fmt.Println("cleaning up after interrupt")
		return 7
	case "ignore":
		signal.Ignore(syscall.SIGINT)
		fmt.Println("ready")
		time.Sleep(time.Hour)
		return 0
	}
	fmt.Fprintf(os.Stderr, "unknown helper mode %q\n", mode)
	return 100
}
