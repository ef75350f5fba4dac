package executor_test

import (
	"encoding/base64"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"codeberg.org/anvil-ci/anvil/executor"
)

// TestMaskLongLinesAndEncodings is issue 11's reproduction of items 2 and 3
// run through a real job: a secret printed across the old 64 KiB cut, a
// 70 KB secret, an ::add-mask:: of a 70 KB value, and the base64 and
// URL-encoded forms of a secret. None of them may reach the log, and no
// event may carry more than MaxLineLength bytes.
func TestMaskLongLinesAndEncodings(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(11, 2))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[rng.IntN(62)]
		}
		return string(b)
	}
	small, big := "tok-"+word(36), word(70_000)
	dir := t.TempDir()
	masked := filepath.Join(dir, "added")
	plan := planFor(t, `
on: push
jobs:
  j:
    runs-on: ubuntu-latest
    env:
      SMALL: ${{ secrets.SMALL }}
      BIG: ${{ secrets.BIG }}
    steps:
      - run: |
          pad=$(head -c 65530 /dev/zero | tr '\0' x)
          printf '%s%s\n' "$pad" "$SMALL"
          printf 'big: %s end\n' "$BIG"
          printf '%s' "$SMALL" | base64 -w0; echo
          printf 'user:%s' "$SMALL" | base64 -w0; echo
          printf '%s\n' "$SMALL" | base64 -w0; echo
          printf 'q=%s\n' "$(printf '%s' "$SPECIAL" | sed 's/%/%25/g; s/ /%20/g; s/&/%26/g; s/@/%40/g; s|/|%2F|g')"
          v=$(head -c 52500 /dev/urandom | base64 -w0)
          printf '%s' "$v" > `+masked+`
          echo "::add-mask::$v"
          printf '%s%s\n' "$pad" "$v"
        env:
          SPECIAL: ${{ secrets.SPECIAL }}
`)
	var (
		mu    sync.Mutex
		lines []string
	)
	sink := executor.SinkFunc(func(e executor.Event) {
		if e.Kind != executor.EventLog {
			return
		}
		if len(e.Line) > executor.MaxLineLength {
			t.Errorf("a log event carries %d bytes, more than MaxLineLength", len(e.Line))
		}
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, e.Line)
	})
	special := "p@ss w&rd/" + word(20)
	secrets := map[string]string{"SMALL": small, "BIG": big, "SPECIAL": special}
	res, err := hostEngine(t, sink, executor.Config{Secrets: secrets}).Run(t.Context(), plan)
	if err != nil {
		t.Fatal(err)
	}
	if res.Result != executor.ResultSuccess {
		t.Fatalf("Run result = %s, want success", res.Result)
	}
	added, err := os.ReadFile(masked)
	if err != nil {
		t.Fatal(err)
	}
	log := strings.Join(lines, "")
	for name, leak := range map[string]string{
		"the secret crossing 64 KiB": small,
		"half of the 70 KB secret":   big[:35_000],
		"the 70 KB secret's tail":    big[len(big)-1000:],
		"base64 of the secret":       base64.RawStdEncoding.EncodeToString([]byte(small))[:40],
		"its part in base64(user:s)": base64.StdEncoding.EncodeToString([]byte("user:" + small))[8:40],
		"the secret URL-encoded":     strings.ReplaceAll(url.QueryEscape(special), "+", "%20"),
		"the added mask's head":      string(added[:1000]),
		"the added mask's tail":      string(added[len(added)-1000:]),
	} {
		if strings.Contains(log, leak) {
			t.Errorf("the log shows %s", name)
		}
	}
	if !strings.Contains(log, "q=***") {
		t.Errorf("the log does not show the URL-encoded secret masked as \"q=***\"")
	}
	if !strings.Contains(log, "big: *** end") {
		t.Errorf("the log does not show the 70 KB secret masked as \"big: *** end\"")
	}
}
