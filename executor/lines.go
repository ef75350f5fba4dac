package executor

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// MaxLineLength is the longest log line an event carries; the engine cuts
// longer lines into pieces of at most this many bytes, after masking them
// whole, so a cut never splits a secret.
const MaxLineLength = 64 * 1024

// MaxLineBuffer is the longest line a LineWriter delivers. A longer line is
// dropped and replaced by a notice: it cannot be masked whole, and masking
// it in pieces could leave a secret cut in two. It is far longer than the
// longest secret masked (1 MiB) in any of its encodings.
const MaxLineBuffer = 8 << 20

// LineWriter is an io.Writer that splits what is written into lines and
// calls a function with each complete line, without its "\n" and without a
// trailing "\r". A partial line is kept until the rest of it arrives, so a
// line (and a secret in it) split across Writes of any size reaches the
// function whole. Call Flush once the writing side is done to emit a final
// line that has no newline.
//
// A LineWriter is meant for one writing goroutine: Write and Flush must not
// be called concurrently.
type LineWriter struct {
	fn      func(line string)
	dropped func(head string, size int)
	buf     []byte
	drop    int // bytes of the current line dropped so far; 0 when not dropping
}

// NewLineWriter returns a LineWriter calling fn for each line. A line
// longer than MaxLineBuffer is not delivered: fn gets a notice saying so.
func NewLineWriter(fn func(line string)) *LineWriter {
	return &LineWriter{fn: fn}
}

// OnDrop sets a function called with the first MaxLineBuffer bytes of each
// line that is dropped for its length, and its full size, in place of the
// notice fn would get. It returns w.
func (w *LineWriter) OnDrop(f func(head string, size int)) *LineWriter {
	w.dropped = f
	return w
}

// Write emits every line p completes and keeps the rest. It never fails.
func (w *LineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if w.drop > 0 {
			if i < 0 {
				w.drop += len(p)
				break
			}
			w.endDrop(i)
			p = p[i+1:]
			continue
		}
		if i < 0 {
			if take := MaxLineBuffer - len(w.buf); len(p) > take {
				w.buf = append(w.buf, p[:take]...)
				w.drop = len(w.buf) + len(p) - take
				break
			}
			w.buf = append(w.buf, p...)
			break
		}
		switch take := MaxLineBuffer - len(w.buf); {
		case i > take:
			w.buf = append(w.buf, p[:take]...)
			w.drop = len(w.buf)
			w.endDrop(i - take)
		case len(w.buf) == 0:
			w.emit(p[:i])
		default:
			w.buf = append(w.buf, p[:i]...)
			w.emit(w.buf)
			w.buf = w.buf[:0]
		}
		p = p[i+1:]
	}
	return n, nil
}

// Flush emits a pending partial line, if any.
func (w *LineWriter) Flush() {
	if w.drop > 0 {
		w.endDrop(0)
		return
	}
	if len(w.buf) == 0 {
		return
	}
	w.emit(w.buf)
	w.buf = w.buf[:0]
}

// endDrop ends a dropped line whose last n bytes have just arrived.
func (w *LineWriter) endDrop(n int) {
	size := w.drop + n
	head := string(w.buf)
	w.buf, w.drop = nil, 0
	if w.dropped != nil {
		w.dropped(head, size)
		return
	}
	w.fn(droppedNotice(size))
}

// droppedNotice is the line shown in place of a dropped line.
func droppedNotice(size int) string {
	return fmt.Sprintf("[a line of %d bytes is not shown: lines longer than %d MiB are dropped, since they cannot be checked for secrets whole]", size, MaxLineBuffer>>20)
}

// emit hands one line to fn.
func (w *LineWriter) emit(line []byte) {
	line = bytes.TrimSuffix(line, []byte{'\r'})
	w.fn(string(line))
}

// linePieces cuts a masked line into pieces of at most MaxLineLength bytes,
// at UTF-8 character boundaries where one is near, so valid text is never
// cut inside a character. A short line is returned as its only piece.
func linePieces(line string) []string {
	if len(line) <= MaxLineLength {
		return []string{line}
	}
	var pieces []string
	for len(line) > MaxLineLength {
		cut := MaxLineLength
		for c := MaxLineLength; c > MaxLineLength-utf8.UTFMax; c-- {
			if utf8.RuneStart(line[c]) {
				cut = c
				break
			}
		}
		pieces = append(pieces, line[:cut])
		line = line[cut:]
	}
	return append(pieces, line)
}
