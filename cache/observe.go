package cache

import (
	"io"
	"net/http"
)

// Observer is told how the cache is used, for metrics (package metrics
// has one). Its methods are called from request goroutines and must
// return quickly.
type Observer interface {
	// Lookup follows every restore: hit reports whether an entry matched.
	Lookup(hit bool)
	// Transferred follows every upload ("upload") and download
	// ("download") with the bytes of the body.
	Transferred(direction string, n int64)
}

type nopObserver struct{}

func (nopObserver) Lookup(bool)               {}
func (nopObserver) Transferred(string, int64) {}

// countingWriter counts the bytes of a response body. It passes ReadFrom
// on, so that a download still goes out with sendfile.
type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.n += int64(n)
	return n, err
}

func (w *countingWriter) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		n, err := rf.ReadFrom(r)
		w.n += n
		return n, err
	}
	n, err := io.Copy(struct{ io.Writer }{w}, r)
	return n, err
}
