package cmd

import (
	"strconv"
	"os"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

func TestZZRSS(t *testing.T) {
	srv := forgetest.New(t)
	d := newDaemonDirConfig(t, srv, benchConfig)
	p := startDaemon(t, d)
	time.Sleep(4 * time.Second)
	data, _ := os.ReadFile("/proc/" + itoa(p.cmd.Process.Pid) + "/smaps")
	t.Log(string(data))
	st, _ := os.ReadFile("/proc/" + itoa(p.cmd.Process.Pid) + "/status")
	t.Log(string(st))
}

func itoa(i int) string { return fmtInt(i) }
func fmtInt(i int) string { return strconv.Itoa(i) }
