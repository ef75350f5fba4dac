package cmd

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"
)

// cacheClientJS is a job's v1 cache client (testdata/cache/v1client.js),
// run with shell: node {0}.
func cacheClientJS(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile("testdata/cache/v1client.js")
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// cacheJob is a workflow whose job saves (mode "save": size bytes
// generated in the job) or restores (mode "restore", then prints the
// restored file's sha256) key through ACTIONS_CACHE_URL with the node
// client, on runs-on label.
func cacheJob(tb testing.TB, label, mode, key string, size int) string {
	tb.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "on: push\njobs:\n  cache:\n    runs-on: %s\n    steps:\n", label)
	file := "restored"
	if mode == "save" {
		file = "blob"
		fmt.Fprintf(&b, "      - run: yes anvil-cache | head -c %d > blob\n", size)
	}
	fmt.Fprintf(&b, "      - name: %s\n        shell: node {0}\n        env: {MODE: %s, KEY: %s, FILE: %s}\n        run: |\n", mode, mode, key, file)
	for line := range strings.Lines(cacheClientJS(tb)) {
		if strings.TrimSpace(line) == "" {
			b.WriteString("\n")
			continue
		}
		b.WriteString("          " + line)
	}
	if mode == "restore" {
		b.WriteString("      - run: if [ -f restored ]; then echo \"restored sha256 $(sha256sum restored | cut -c1-64)\"; fi\n")
	}
	return b.String()
}

// cacheBlobSum is the sha256 of what a cacheJob of size bytes saves.
func cacheBlobSum(size int) string {
	blob := bytes.Repeat([]byte("anvil-cache\n"), size/12+1)[:size]
	sum := sha256.Sum256(blob)
	return hex.EncodeToString(sum[:])
}
