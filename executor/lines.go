package executor

import (
	"bytes"
	"unicode/utf8"
)

// MaxLineLength is the longest line a LineWriter emits in one piece; longer
// lines are emitted in pieces of at most this many bytes.
const MaxLineLength = 64 * 1024

// LineWriter is an io.Writer that splits what is written into lines and
// calls a function with each complete line, without its "\n" and without a
// trailing "\r". A partial line is kept until the rest of it arrives, so a
// line (and a secret in it) split across two Writes reaches the function
// whole. Call Flush once the writing side is done to emit a final line that
// has no newline.
//
// A LineWriter is meant for one writing goroutine: Write and Flush must not
// be called concurrently.
type LineWriter struct {
	fn  func(line string)
	buf []byte
}

// NewLineWriter returns a LineWriter calling fn for each line.
func NewLineWriter(fn func(line string)) *LineWriter {
	return &LineWriter{fn: fn}
}

// Write emits every line p completes and keeps the rest. It never fails.
func (w *LineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.buf = append(w.buf, p...)
			w.emitLong()
			break
		}
		if len(w.buf) == 0 {
			w.emit(p[:i])
		} else {
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
	if len(w.buf) == 0 {
		return
	}
	w.emit(w.buf)
	w.buf = w.buf[:0]
}

// emitLong emits full-size pieces of an overlong pending line.
func (w *LineWriter) emitLong() {
	for len(w.buf) > MaxLineLength {
		cut := pieceEnd(w.buf)
		w.fn(string(w.buf[:cut]))
		w.buf = append(w.buf[:0], w.buf[cut:]...)
	}
}

// emit hands one line to fn, in pieces if it is too long.
func (w *LineWriter) emit(line []byte) {
	line = bytes.TrimSuffix(line, []byte{'\r'})
	for len(line) > MaxLineLength {
		cut := pieceEnd(line)
		w.fn(string(line[:cut]))
		line = line[cut:]
	}
	w.fn(string(line))
}

// pieceEnd returns where to cut b, which is longer than MaxLineLength: at
// MaxLineLength, moved back to a UTF-8 character boundary when one is near,
// so valid text is never cut inside a character.
func pieceEnd(b []byte) int {
	for cut := MaxLineLength; cut > MaxLineLength-utf8.UTFMax; cut-- {
		if utf8.RuneStart(b[cut]) {
			return cut
		}
	}
	return MaxLineLength
}
