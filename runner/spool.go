package runner

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// A spool keeps one task's log rows on disk, so that memory stays bounded
// whatever a job prints and however long the forge is unreachable, and so
// that a restarted runner can still send them.
//
// The file is a sequence of records: an 8-byte big-endian Unix time in
// nanoseconds, a 4-byte big-endian content length, then the content. A
// record cut short by a crash is dropped when the file is reopened.
//
// One goroutine appends (the engine's events, under the reporter's lock);
// another reads batches to send. Each row is written with one write call
// and no buffering in the process, so a row is safe in the file (the
// system's page cache) as soon as Append returns, even if the runner is
// killed right after.
type spool struct {
	path string

	mu   sync.Mutex
	w    *os.File
	buf  []byte // the record being written, reused
	rows int64  // rows appended
	size int64  // bytes appended
	// marks holds the byte offset of every markEvery-th row, so that a
	// read can start at any row without keeping an offset per row.
	marks []int64

	r *os.File
}

const (
	recordHeader = 12
	markEvery    = 1024
	// maxRowBytes bounds one row's content when reading; the engine
	// splits lines at 64 KiB, so a larger length means a damaged file.
	maxRowBytes = 1 << 20
)

// row is one log line with its time.
type row struct {
	Time    time.Time
	Content string
}

// openSpool opens or creates the spool file at path. An existing file is
// scanned to count its rows; a torn last record is cut off.
func openSpool(path string) (*spool, error) {
	w, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the log spool: %w (check that the runner's state_dir is writable)", err)
	}
	s := &spool{path: path, w: w}
	if err := s.scan(); err != nil {
		w.Close()
		return nil, err
	}
	if _, err := w.Seek(s.size, io.SeekStart); err != nil {
		w.Close()
		return nil, fmt.Errorf("opening the log spool: %w", err)
	}
	r, err := os.Open(path)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("opening the log spool for reading: %w", err)
	}
	s.r = r
	return s, nil
}

// scan counts the rows of an existing file and truncates a torn record.
func (s *spool) scan() error {
	br := bufio.NewReaderSize(s.w, 64<<10)
	var hdr [recordHeader]byte
	for {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			break
		}
		n := int64(binary.BigEndian.Uint32(hdr[8:]))
		if n > maxRowBytes {
			break
		}
		if _, err := br.Discard(int(n)); err != nil {
			break
		}
		if s.rows%markEvery == 0 {
			s.marks = append(s.marks, s.size)
		}
		s.rows++
		s.size += recordHeader + n
	}
	if err := s.w.Truncate(s.size); err != nil {
		return fmt.Errorf("repairing the log spool %s: %w", s.path, err)
	}
	return nil
}

// Append adds a row and returns its index.
func (s *spool) Append(t time.Time, content string) (int64, error) {
	if len(content) > maxRowBytes {
		content = content[:maxRowBytes]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf = binary.BigEndian.AppendUint64(s.buf[:0], uint64(t.UnixNano()))
	s.buf = binary.BigEndian.AppendUint32(s.buf, uint32(len(content)))
	s.buf = append(s.buf, content...)
	if _, err := s.w.Write(s.buf); err != nil {
		return 0, fmt.Errorf("writing the log spool: %w", err)
	}
	if cap(s.buf) > 64<<10 {
		s.buf = nil // keep no large buffer after a long line
	}
	if s.rows%markEvery == 0 {
		s.marks = append(s.marks, s.size)
	}
	i := s.rows
	s.rows++
	s.size += recordHeader + int64(len(content))
	return i, nil
}

// Rows returns the number of rows in the spool, all readable.
func (s *spool) Rows() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rows
}

// Size returns the bytes of the spool file.
func (s *spool) Size() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.size
}

// cursor is a read position: the index of the next row and its offset.
type cursor struct {
	row int64
	off int64
}

// seek returns the cursor of row i (i <= Rows()), reading forward
// from the nearest mark.
func (s *spool) seek(i int64) (cursor, error) {
	s.mu.Lock()
	m := i / markEvery
	if m >= int64(len(s.marks)) {
		m = int64(len(s.marks)) - 1
	}
	c := cursor{}
	if m >= 0 {
		c = cursor{row: m * markEvery, off: s.marks[m]}
	}
	s.mu.Unlock()
	br := bufio.NewReaderSize(io.NewSectionReader(s.r, c.off, 1<<62), 16<<10)
	var hdr [recordHeader]byte
	for c.row < i {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			return c, fmt.Errorf("reading the log spool at row %d: %w", c.row, err)
		}
		n := int64(binary.BigEndian.Uint32(hdr[8:]))
		if _, err := br.Discard(int(n)); err != nil {
			return c, fmt.Errorf("reading the log spool at row %d: %w", c.row, err)
		}
		c.row++
		c.off += recordHeader + n
	}
	return c, nil
}

// Read returns up to maxRows rows (and about maxBytes of content, at least
// one row) from c, stopping at row end, and the cursor after them.
func (s *spool) Read(c cursor, end int64, maxRows, maxBytes int) ([]row, cursor, error) {
	if c.row >= end {
		return nil, c, nil
	}
	br := bufio.NewReaderSize(io.NewSectionReader(s.r, c.off, 1<<62), 64<<10)
	var (
		out   []row
		bytes int
		hdr   [recordHeader]byte
	)
	for c.row < end && len(out) < maxRows && (len(out) == 0 || bytes < maxBytes) {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			return out, c, fmt.Errorf("reading the log spool at row %d: %w", c.row, err)
		}
		n := int(binary.BigEndian.Uint32(hdr[8:]))
		if n > maxRowBytes {
			return out, c, fmt.Errorf("reading the log spool at row %d: %w", c.row, errBadSpool)
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(br, buf); err != nil {
			return out, c, fmt.Errorf("reading the log spool at row %d: %w", c.row, err)
		}
		out = append(out, row{Time: time.Unix(0, int64(binary.BigEndian.Uint64(hdr[:8]))), Content: string(buf)})
		bytes += n
		c.row++
		c.off += recordHeader + int64(n)
	}
	return out, c, nil
}

// errBadSpool says a spool file holds something that is not a record.
var errBadSpool = errors.New("damaged record")

// Close closes the files.
func (s *spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.w.Close()
	s.r.Close()
	return err
}

// spoolFile is the log spool's name in a task's state directory.
func spoolFile(dir string) string { return filepath.Join(dir, "log") }
