package executor

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"testing"
)

func TestMaskerMask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		secrets []string
		in      string
		want    string
	}{
		{name: "no secrets", in: "hello world", want: "hello world"},
		{name: "single", secrets: []string{"hunter2"}, in: "pw=hunter2!", want: "pw=***!"},
		{name: "every occurrence", secrets: []string{"ab"}, in: "ab-ab-ab", want: "***-***-***"},
		{name: "no match", secrets: []string{"hunter2"}, in: "hunter3", want: "hunter3"},
		{name: "empty ignored", secrets: []string{""}, in: "abc", want: "abc"},
		{name: "whitespace-only ignored", secrets: []string{" \t\n "}, in: "a b\tc", want: "a b\tc"},
		{name: "single char", secrets: []string{"x"}, in: "axbx", want: "a***b***"},
		{name: "longer secret wins over its prefix", secrets: []string{"abc", "abcdef"}, in: "_abcdef_", want: "_***_"},
		{name: "overlapping secrets leave no fragment", secrets: []string{"abcd", "cdef"}, in: "xabcdefx", want: "x***x"},
		{name: "overlap in either order of registration", secrets: []string{"cdef", "abcd"}, in: "xabcdefx", want: "x***x"},
		{name: "shorter secret inside longer one", secrets: []string{"bc", "abcd"}, in: "abcd bc", want: "*** ***"},
		{name: "adjacent occurrences merge", secrets: []string{"ab", "cd"}, in: "abcd", want: "***"},
		{name: "self-overlapping secret", secrets: []string{"aa"}, in: "aaa", want: "***"},
		{
			name:    "multi-line secret masked whole",
			secrets: []string{"line1\nline2"},
			in:      "a line1\nline2 b",
			want:    "a *** b",
		},
		{
			name:    "multi-line secret masked line by line",
			secrets: []string{"first\r\nsecond\n\n  \nthird"},
			in:      "got second and third",
			want:    "got *** and ***",
		},
		{
			name:    "blank lines of a multi-line secret are not secrets",
			secrets: []string{"top\n\n  \nbottom"},
			in:      "a  b",
			want:    "a  b",
		},
		{
			name:    "json-escaped form",
			secrets: []string{"p\"w\nx"},
			in:      `{"password":"p\"w\nx"}`,
			want:    `{"password":"***"}`,
		},
		{
			name:    "json form keeps html characters",
			secrets: []string{"a<b>\tc"},
			in:      `"a<b>\tc"`,
			want:    `"***"`,
		},
		{name: "unicode", secrets: []string{"пароль"}, in: "мой пароль!", want: "мой ***!"},
		{name: "added twice", secrets: []string{"dup", "dup"}, in: "dup dup", want: "*** ***"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := NewMasker()
			for _, s := range tt.secrets {
				m.Add(s)
			}
			if got := m.Mask(tt.in); got != tt.want {
				t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestMaskerMatchesReference compares Mask with a direct implementation of
// its definition (mark every byte covered by an occurrence, then replace
// each run of marked bytes) on many small random inputs.
func TestMaskerMatchesReference(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abc"[rng.IntN(3)]
		}
		return string(b)
	}
	for range 2000 {
		var secrets []string
		for range 1 + rng.IntN(4) {
			secrets = append(secrets, word(1+rng.IntN(4)))
		}
		in := word(rng.IntN(16))
		m := NewMasker()
		for _, s := range secrets {
			m.Add(s)
		}
		if got, want := m.Mask(in), referenceMask(secrets, in); got != want {
			t.Fatalf("secrets %q: Mask(%q) = %q, want %q", secrets, in, got, want)
		}
	}
}

// referenceMask is the slow, obviously correct definition of Mask.
func referenceMask(secrets []string, s string) string {
	covered := make([]bool, len(s))
	for _, secret := range secrets {
		for i := 0; i+len(secret) <= len(s); i++ {
			if s[i:i+len(secret)] == secret {
				for j := i; j < i+len(secret); j++ {
					covered[j] = true
				}
			}
		}
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if !covered[i] {
			b.WriteByte(s[i])
			continue
		}
		b.WriteString("***")
		for i+1 < len(s) && covered[i+1] {
			i++
		}
	}
	return b.String()
}

func TestMaskerNoMatchAllocatesNothing(t *testing.T) {
	// Not parallel: testing.AllocsPerRun must not run alongside other tests.
	m := NewMasker()
	m.Add("s3cr3t-value")
	m.Add("another\nmultiline")
	line := "an ordinary log line with nothing to hide in it"
	allocs := testing.AllocsPerRun(100, func() { _ = m.Mask(line) })
	if allocs != 0 {
		t.Errorf("Mask of a line without secrets allocates %v times, want 0", allocs)
	}
}

func TestMaskerConcurrentAddAndMask(t *testing.T) {
	t.Parallel()
	m := NewMasker()
	const n = 200
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range n {
			m.Add(fmt.Sprintf("secret-%03d", i))
		}
	})
	for range 4 {
		wg.Go(func() {
			for i := range n {
				line := fmt.Sprintf("value secret-%03d end", i)
				got := m.Mask(line)
				if got != line && got != "value *** end" {
					t.Errorf("Mask(%q) = %q, want it unchanged or fully masked", line, got)
					return
				}
			}
		})
	}
	wg.Wait()
	if got, want := m.Mask("secret-199"), "***"; got != want {
		t.Errorf("Mask after all Adds = %q, want %q", got, want)
	}
}

func BenchmarkMask(b *testing.B) {
	cases := []struct {
		name    string
		secrets int
		line    string
	}{
		{"none", 0, "an ordinary log line of moderate length, as builds print them"},
		{"10/nomatch", 10, "an ordinary log line of moderate length, as builds print them"},
		{"100/nomatch", 100, "an ordinary log line of moderate length, as builds print them"},
		{"10/match", 10, "token tok-0000000005 leaked in an ordinary log line"},
		{"100/long", 100, strings.Repeat("compiling package foo/bar/baz ", 30)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			m := NewMasker()
			for i := range c.secrets {
				m.Add(fmt.Sprintf("tok-%010d", i))
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = m.Mask(c.line)
			}
		})
	}
	// A 1 MiB secret (and its encodings) among ordinary ones, masking an
	// ordinary line and a 4 MiB line that holds it twice.
	big := strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 1<<20/62+1)[:1<<20]
	m := NewMasker()
	m.Add(big)
	for i := range 10 {
		m.Add(fmt.Sprintf("tok-%010d", i))
	}
	huge := strings.Repeat("x", 1<<20) + big + strings.Repeat("y", 1<<20) + big
	for _, c := range []struct{ name, line string }{
		{"1MiB/nomatch", cases[1].line},
		{"1MiB/4MiB-line", huge},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.line)))
			for b.Loop() {
				_ = m.Mask(c.line)
			}
		})
	}
	b.Run("add-encodings", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			m := NewMasker()
			m.Add(fmt.Sprintf("secret-value-%d", i))
			_ = m.Mask("x")
			i++
		}
	})
}

// TestMaskerEncodings checks that the forms in which GitHub's runner masks
// a secret are masked here too (issue 11: the base64 and URL-encoded forms
// of a secret printed raw). The encodings are made with the standard
// library, independently of the masker.
func TestMaskerEncodings(t *testing.T) {
	t.Parallel()
	const secret = `s3cr3t/pa+ss "wörd"&<x>=1`
	tests := []struct {
		name string
		in   string
	}{
		{name: "json", in: strings.Trim(jsonString(t, secret), `"`)},
		{name: "json without html escaping", in: `s3cr3t/pa+ss \"wörd\"&<x>=1`},
		{name: "query escape", in: url.QueryEscape(secret)},
		{name: "percent-encoded", in: strings.ReplaceAll(url.QueryEscape(secret), "+", "%20")},
		{name: "base64", in: base64.StdEncoding.EncodeToString([]byte(secret))},
		{name: "base64 url alphabet", in: base64.URLEncoding.EncodeToString([]byte(secret))},
		{name: "base64 unpadded", in: base64.RawStdEncoding.EncodeToString([]byte(secret))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := NewMasker()
			m.Add(secret)
			line := "value: " + tt.in + " end"
			if got, want := m.Mask(line), "value: *** end"; got != want {
				t.Errorf("Mask(%q) = %q, want %q", line, got, want)
			}
		})
	}
}

func jsonString(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMaskerBase64Alignments encodes a secret inside longer base64 streams:
// behind 0, 1 and 2 bytes of prefix (so it starts at each of the three
// alignments of a 3-byte group) and followed by a suffix, as
// base64("user:" + secret) or base64(secret + "\n") are. Every base64 digit
// that carries only bits of the secret must be masked.
func TestMaskerBase64Alignments(t *testing.T) {
	t.Parallel()
	const secret = "correct-horse-battery-staple"
	m := NewMasker()
	m.Add(secret)
	for _, prefix := range []string{"", "u", "us", "user:", "user:x"} {
		for _, suffix := range []string{"", "\n", "\r\n", "@host"} {
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding} {
				stream := enc.EncodeToString([]byte(prefix + secret + suffix))
				got := m.Mask("auth " + stream)
				for _, q := range secretQuartets(enc, prefix, secret, suffix) {
					if strings.Contains(got, q) {
						t.Errorf("base64(%q+secret+%q) = %s masked as %q: digits %q of the secret are left", prefix, suffix, stream, got, q)
					}
				}
			}
		}
	}
}

// secretQuartets returns the groups of 4 base64 digits of
// prefix+secret+suffix that encode only bytes of secret.
func secretQuartets(enc *base64.Encoding, prefix, secret, suffix string) []string {
	stream := enc.EncodeToString([]byte(prefix + secret + suffix))
	var out []string
	for g := (len(prefix) + 2) / 3; 3*g+3 <= len(prefix)+len(secret); g++ {
		out = append(out, stream[4*g:4*g+4])
	}
	return out
}

func TestMaskerShortSecretsKeepLogReadable(t *testing.T) {
	t.Parallel()
	m := NewMasker()
	m.Add("x")
	m.Add("ab")
	line := "every word of an ordinary line, even YW or eA, stays"
	want := "every word of an ordinary line, even YW or eA, stays"
	if got := m.Mask(line); got != want {
		t.Errorf("Mask(%q) = %q, want %q: the base64 of a short secret must not mask common text", line, got, want)
	}
}

// TestMaskerLongSecret masks a 1 MiB secret and its encodings, whole and
// inside a longer line, without a trie node per byte.
func TestMaskerLongSecret(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, 1<<20)
	for i := range b {
		b[i] = byte('!' + rng.IntN(94))
	}
	secret := string(b)
	m := NewMasker()
	m.Add(secret)
	for name, form := range map[string]string{
		"raw":    secret,
		"base64": base64.StdEncoding.EncodeToString(b),
		"query":  url.QueryEscape(secret),
		"json":   strings.Trim(jsonString(t, secret), `"`),
	} {
		line := "a " + form + " b " + form[:len(form)/2]
		want := "a *** b " + form[:len(form)/2]
		if got := m.Mask(line); got != want {
			t.Errorf("%s: Mask(a %d-byte form of the secret) = %.40q..., want %q...", name, len(form), got, want[:20])
		}
	}
	if n := len(m.current().nodes); n > 100*trieDepth {
		t.Errorf("the trie of one long secret has %d nodes, want at most %d", n, 100*trieDepth)
	}
}

// FuzzMaskedOutput feeds random text with random secrets, their lines and
// their encodings through the path every step's output takes (LineWriter,
// Mask, then the cut into pieces) in randomly sized writes, and checks that
// no secret and no encoded form reaches the output, whatever the chunking.
func FuzzMaskedOutput(f *testing.F) {
	f.Add(uint64(1), uint8(3), uint16(0))
	f.Add(uint64(2), uint8(1), uint16(7))
	f.Add(uint64(3), uint8(8), uint16(300))
	f.Add(uint64(4), uint8(2), uint16(65535)) // lines far over MaxLineLength
	f.Fuzz(func(t *testing.T, seed uint64, nsecrets uint8, longness uint16) {
		rng := rand.New(rand.NewPCG(seed, uint64(nsecrets)<<16|uint64(longness)))
		secrets := fuzzSecrets(rng, 1+int(nsecrets)%8)
		m := NewMasker()
		for _, s := range secrets {
			m.Add(s)
		}
		text, forms := fuzzText(rng, secrets, int(longness))

		var out []string
		w := NewLineWriter(func(line string) { out = append(out, linePieces(m.Mask(line))...) })
		for rest := text; rest != ""; {
			n := min(len(rest), 1+rng.IntN(1+rng.IntN(70000)))
			w.Write([]byte(rest[:n]))
			rest = rest[n:]
		}
		w.Flush()

		// A piece boundary is not a place where text may hide: check the
		// pieces of a line joined as well as each line.
		joined := strings.Join(out, "")
		for _, form := range forms {
			if strings.Contains(joined, form) {
				t.Fatalf("secrets %q: the output contains %q", secrets, form)
			}
		}
	})
}

// fuzzSecrets returns n random secrets of 6 to 40 bytes, some spanning
// lines, drawn from characters that need escaping in JSON and URLs but
// never "*" (the mask itself) or the filler's characters.
func fuzzSecrets(rng *rand.Rand, n int) []string {
	const alphabet = `abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"&<>/+=% ü`
	chars := []rune(alphabet)
	var out []string
	for range n {
		var b strings.Builder
		for range 6 + rng.IntN(35) {
			b.WriteRune(chars[rng.IntN(len(chars))])
		}
		s := b.String()
		if rng.IntN(5) == 0 {
			s = s[:3] + "\n" + s[3:] // a multi-line secret, masked line by line
		}
		out = append(out, s)
	}
	return out
}

// fuzzText returns text mixing filler, the secrets and their encodings, and
// the strings that must not appear in the masked output: every line of each
// secret of 6 bytes or more and their JSON, percent and base64 forms.
func fuzzText(rng *rand.Rand, secrets []string, longness int) (string, []string) {
	var forms []string
	for _, s := range secrets {
		for line := range strings.Lines(s) {
			line = strings.TrimSuffix(line, "\n")
			if len(line) < 6 {
				continue
			}
			q := url.QueryEscape(line)
			forms = append(forms, line, strings.Trim(jsonStringNoHTML(line), `"`), q, strings.ReplaceAll(q, "+", "%20"))
		}
	}
	var b strings.Builder
	quartets := map[string]int{}
	filler := func(n int) {
		for range n {
			const chars = " .,;:!?#()[]{}|~^"
			b.WriteByte(chars[rng.IntN(len(chars))])
		}
	}
	parts := 1 + rng.IntN(20)
	for range parts {
		filler(rng.IntN(1 + longness*rng.IntN(4)))
		s := secrets[rng.IntN(len(secrets))]
		switch rng.IntN(5) {
		case 0:
			b.WriteString(s)
		case 1:
			b.WriteString(jsonStringNoHTML(s))
		case 2:
			b.WriteString(url.QueryEscape(s))
		case 3, 4:
			prefix := "us:"[:rng.IntN(4)]
			suffix := "\n@"[:rng.IntN(3)]
			enc := []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding}[rng.IntN(3)]
			b.WriteString(enc.EncodeToString([]byte(prefix + s + suffix)))
			if !strings.Contains(s, "\n") {
				for _, q := range secretQuartets(enc, prefix, s, suffix) {
					quartets[q]++
				}
			}
		}
		if rng.IntN(4) == 0 {
			b.WriteString("\n")
		}
	}
	// A quartet of one secret can also be made by chance elsewhere, of a
	// prefix byte and another secret's bytes: check only those that occur
	// in the text just where a secret's stream put them.
	text := b.String()
	for q, n := range quartets {
		if strings.Count(text, q) == n {
			forms = append(forms, q)
		}
	}
	return text, forms
}

func jsonStringNoHTML(s string) string {
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(buf.String(), "\n")
}
