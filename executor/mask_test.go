package executor

import (
	"fmt"
	"math/rand/v2"
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
}
