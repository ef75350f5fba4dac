package executor

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLineWriter(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", MaxLineLength)
	huge := strings.Repeat("h", MaxLineBuffer)
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
		// Lines longer than a log event are delivered whole: the engine
		// masks them before it cuts them (issue 11: a cut before masking
		// printed a secret crossing it in two halves).
		{name: "long line whole", writes: []string{long + "xyz\n"}, want: []string{long + "xyz"}},
		{name: "long line over many writes", writes: []string{long[:100], long[100:], "z", "z\n"}, want: []string{long + "zz"}},
		{name: "longest line delivered", writes: []string{huge[:1], huge[1:], "\nnext\n"}, want: []string{huge, "next"}},
		{
			name:   "longer line dropped in one write",
			writes: []string{"before\n" + huge + "xy\nafter\n"},
			want:   []string{"before", droppedNotice(MaxLineBuffer + 2), "after"},
		},
		{
			name:   "longer line dropped across writes",
			writes: []string{huge[:10], huge[10:], "abc", "de", "f\nafter"},
			flush:  true,
			want:   []string{droppedNotice(MaxLineBuffer + 6), "after"},
		},
		{
			name:   "longer line without newline dropped at flush",
			writes: []string{huge, "+"},
			flush:  true,
			want:   []string{droppedNotice(MaxLineBuffer + 1)},
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

func TestLineWriterOnDrop(t *testing.T) {
	t.Parallel()
	var heads []string
	var sizes []int
	var lines []string
	w := NewLineWriter(func(l string) { lines = append(lines, l) }).OnDrop(func(head string, size int) {
		heads = append(heads, head)
		sizes = append(sizes, size)
	})
	line := "::add-mask::" + strings.Repeat("v", MaxLineBuffer)
	for i := 0; i < len(line); i += 1 << 20 {
		w.Write([]byte(line[i:min(i+1<<20, len(line))]))
	}
	w.Write([]byte("\nok\n"))
	if len(heads) != 1 || heads[0] != line[:MaxLineBuffer] || sizes[0] != len(line) {
		t.Errorf("OnDrop got %d heads, sizes %v; want the line's first %d bytes and size %d", len(heads), sizes, MaxLineBuffer, len(line))
	}
	if diff := cmp.Diff(lines, []string{"ok"}); diff != "" {
		t.Errorf("lines (-got +want):\n%s", diff)
	}
}

func TestLinePieces(t *testing.T) {
	t.Parallel()
	// A 2-byte character straddling the 64 KiB boundary.
	straddle := strings.Repeat("b", MaxLineLength-1) + "é" + "tail"
	long := strings.Repeat("a", MaxLineLength)
	tests := []struct {
		name string
		line string
		want []string
	}{
		{name: "short", line: "x", want: []string{"x"}},
		{name: "exactly max", line: long, want: []string{long}},
		{name: "one more", line: long + "z", want: []string{long, "z"}},
		{name: "three pieces", line: long + long + "q", want: []string{long, long, "q"}},
		{name: "keeps characters whole", line: straddle, want: []string{strings.Repeat("b", MaxLineLength-1), "étail"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(linePieces(tt.line), tt.want); diff != "" {
				t.Errorf("linePieces (-got +want):\n%s", diff)
			}
		})
	}
}
