package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

func TestZZRSS(t *testing.T) {
	for _, v := range []struct{ name string; env []string; flags []string; runEnv []string }{
		{"default", nil, nil, nil},
		{"cgo0", []string{"CGO_ENABLED=0"}, nil, nil},
		{"cgo0-sw", []string{"CGO_ENABLED=0"}, []string{"-ldflags=-s -w"}, nil},
		{"cgo0-gogc50", []string{"CGO_ENABLED=0"}, nil, []string{"GOGC=50"}},
	} {
		bin := filepath.Join(t.TempDir(), "anvil")
		args := append([]string{"build", "-o", bin}, v.flags...)
		c := exec.Command("go", append(args, "./anvil")...)
		c.Env = append(os.Environ(), v.env...)
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatal(string(out))
		}
		srv := forgetest.New(t)
		d := newDaemonDirConfig(t, srv, benchConfig)
		cmd := exec.Command(bin, "daemon", "-c", d.config)
		cmd.Dir = d.dir
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + d.dir}, v.runEnv...)
		cmd.Start()
		time.Sleep(5 * time.Second)
		st, _ := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status")
		var out []string
		for _, l := range strings.Split(string(st), "\n") {
			if strings.HasPrefix(l, "VmRSS") || strings.HasPrefix(l, "RssAnon") || strings.HasPrefix(l, "RssFile") {
				out = append(out, strings.Join(strings.Fields(l), " "))
			}
		}
		t.Log(v.name, out)
		cmd.Process.Kill()
		cmd.Wait()
	}
}
