package executor

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLineWriter(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", MaxLineLength)
	// A 2-byte character straddling the 64 KiB boundary.
	straddle := strings.Repeat("b", MaxLineLength-1) + "é" + "tail"
	tests := []struct {
		name   string
		writes []string
		flush  bool
		want   []string
	}{
		{name: "one line", writes: []string{"hello\n"}, want: []string{"hello"}},
		{name: "several lines in one write", writes: []string{"a\nb\nc\n"}, want: []string{"a", "b", "c"}},
		{name: "line split across writes", writes: []string{"hel", "lo wor", "ld\nnext\n"}, want: []string{"hello world", "next"}},
		{name: "crlf", writes: []string{"win\r\n", "dows\r", "\n"}, want: []string{"win", "dows"}},
		{name: "inner cr kept", writes: []string{"a\rb\n"}, want: []string{"a\rb"}},
		{name: "empty lines", writes: []string{"\n\nx\n"}, want: []string{"", "", "x"}},
		{name: "partial without flush stays", writes: []string{"done\npartial"}, want: []string{"done"}},
		{name: "flush emits partial", writes: []string{"done\npartial"}, flush: true, want: []string{"done", "partial"}},
		{name: "flush with nothing pending", writes: []string{"done\n"}, flush: true, want: []string{"done"}},
		{name: "exactly max length", writes: []string{long + "\n"}, want: []string{long}},
		{name: "long line in pieces", writes: []string{long + "xyz\n"}, want: []string{long, "xyz"}},
		{name: "long line over many writes", writes: []string{long[:100], long[100:], "z", "z\n"}, want: []string{long, "zz"}},
		{
			name:   "piece boundary keeps characters whole",
			writes: []string{straddle + "\n"},
			want:   []string{strings.Repeat("b", MaxLineLength-1), "é" + "tail"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			w := NewLineWriter(func(line string) { got = append(got, line) })
			for _, s := range tt.writes {
				n, err := w.Write([]byte(s))
				if n != len(s) || err != nil {
					t.Fatalf("Write(%d bytes) = %d, %v, want %d, nil", len(s), n, err, len(s))
				}
			}
			if tt.flush {
				w.Flush()
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("lines (-got +want):\n%s", diff)
			}
		})
	}
}

// TestLineWriterMasksSplitSecret checks the reason LineWriter buffers: a
// secret arriving in two reads is still whole when the masker sees it.
func TestLineWriterMasksSplitSecret(t *testing.T) {
	t.Parallel()
	m := NewMasker()
	m.Add("correct-horse-battery")
	var got []string
	w := NewLineWriter(func(line string) { got = append(got, m.Mask(line)) })
	for _, chunk := range []string{"password: correct-ho", "rse-battery\nnext: correct", "-horse-battery"} {
		if _, err := w.Write([]byte(chunk)); err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	w.Flush()
	want := []string{"password: ***", "next: ***"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("masked lines (-got +want):\n%s", diff)
	}
}
