package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Config says where the audit log goes.
type Config struct {
	// Path is the file records are appended to (created 0600).
	Path string
	// MaxSize rotates the file before a record would take it past this
	// many bytes: it is renamed to Path.<UTC time> and a new one begun.
	// Rotated files are never deleted. 0 never rotates.
	MaxSize int64
	// Syslog, when set, forwards every record to syslog as well: "local"
	// for this machine's syslog, or udp://host:port, tcp://host:port,
	// unix:///dev/log. The file stays the record of truth.
	Syslog string
	// Now is the clock, for rotated names (default time.Now).
	Now func() time.Time
}

// Log is an append-only file of JSON records, one per line. It is safe
// for concurrent use, and several processes may append to one file.
type Log struct {
	cfg    Config
	mu     sync.Mutex
	f      *os.File
	syslog io.WriteCloser
}

// Open opens (creating) the audit log cfg names.
func Open(cfg Config) (*Log, error) {
	if cfg.Path == "" {
		return nil, errors.New("the audit log needs a file")
	}
	if cfg.MaxSize < 0 {
		return nil, fmt.Errorf("audit log maximum size %d is negative", cfg.MaxSize)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	l := &Log{cfg: cfg}
	if err := l.open(); err != nil {
		return nil, err
	}
	if cfg.Syslog != "" {
		w, err := dialSyslog(cfg.Syslog)
		if err != nil {
			l.f.Close()
			return nil, fmt.Errorf("audit syslog %q: %w", cfg.Syslog, err)
		}
		l.syslog = w
	}
	return l, nil
}

// open opens the file at the configured path for appending.
func (l *Log) open() error {
	f, err := os.OpenFile(l.cfg.Path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("opening the audit log: %w (check audit.file and its directory)", err)
	}
	l.f = f
	return nil
}

// Write appends rec as one line and syncs it to disk before returning.
// A forwarding error (syslog) comes back after the record is safe in the
// file; check the file error with errors.Is(err, ErrNotWritten).
func (l *Log) Write(rec *Record) error {
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("%w: encoding the record: %v", ErrNotWritten, err)
	}
	line = append(line, '\n')
	if err := l.append(line); err != nil {
		return fmt.Errorf("%w: %v", ErrNotWritten, err)
	}
	if l.syslog != nil {
		if _, err := l.syslog.Write(line[:len(line)-1]); err != nil {
			return fmt.Errorf("forwarding the audit record to syslog: %w", err)
		}
	}
	return nil
}

// ErrNotWritten is wrapped by Write's errors when the record did not
// reach the file.
var ErrNotWritten = errors.New("the audit record was not written")

// append writes line under the file lock: after following a rotation by
// another process, cutting off a partial last line a killed writer left,
// and rotating when the line would pass MaxSize.
func (l *Log) append(line []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return errors.New("the audit log is closed")
	}
	unlock, err := l.lockCurrent()
	if err != nil {
		return err
	}
	defer func() { unlock() }()
	for {
		size, err := repairTail(l.f)
		if err != nil {
			return err
		}
		if l.cfg.MaxSize == 0 || size == 0 || size+int64(len(line)) <= l.cfg.MaxSize {
			break
		}
		if err := l.rotate(); err != nil {
			return err
		}
		// Another writer may fill the new file before it is locked here.
		unlock()
		if unlock, err = l.lockCurrent(); err != nil {
			unlock = func() {}
			return err
		}
	}
	if _, err := l.f.Write(line); err != nil {
		return fmt.Errorf("writing the audit log: %w", err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("syncing the audit log: %w", err)
	}
	return nil
}

// lockCurrent locks the file at the path, reopening it first when the
// path no longer names the file held open (another process rotated it).
func (l *Log) lockCurrent() (func(), error) {
	for range 10 {
		if err := lockFile(l.f); err != nil {
			return nil, fmt.Errorf("locking the audit log: %w", err)
		}
		held, err1 := l.f.Stat()
		onPath, err2 := os.Stat(l.cfg.Path)
		if err1 == nil && err2 == nil && os.SameFile(held, onPath) {
			f := l.f
			return func() { unlockFile(f) }, nil
		}
		unlockFile(l.f)
		l.f.Close()
		if err := l.open(); err != nil {
			l.f = nil
			return nil, err
		}
	}
	return nil, errors.New("the audit log keeps being replaced while it is opened")
}

// rotate renames the full file (locked by the caller) aside and opens a
// new one at the path.
func (l *Log) rotate() error {
	name := l.cfg.Path + "." + l.cfg.Now().UTC().Format("20060102T150405.000000000Z")
	if err := os.Rename(l.cfg.Path, name); err != nil {
		return fmt.Errorf("rotating the audit log: %w", err)
	}
	old := l.f
	if err := l.open(); err != nil {
		l.f = nil
		unlockFile(old)
		old.Close()
		return err
	}
	unlockFile(old)
	return old.Close()
}

// repairTail cuts off a partial last line (what a writer killed in the
// middle of a write leaves) and returns the file's size after it.
func repairTail(f *os.File) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("reading the audit log's size: %w", err)
	}
	size := st.Size()
	if size == 0 {
		return 0, nil
	}
	buf := make([]byte, 4096)
	end := size
	for end > 0 {
		n := min(int64(len(buf)), end)
		if _, err := f.ReadAt(buf[:n], end-n); err != nil && !errors.Is(err, io.EOF) {
			return 0, fmt.Errorf("reading the audit log's last line: %w", err)
		}
		if end == size && buf[n-1] == '\n' {
			return size, nil
		}
		for i := n - 1; i >= 0; i-- {
			if buf[i] == '\n' {
				return truncate(f, end-n+i+1)
			}
		}
		end -= n
	}
	return truncate(f, 0)
}

func truncate(f *os.File, size int64) (int64, error) {
	if err := f.Truncate(size); err != nil {
		return 0, fmt.Errorf("cutting off the audit log's partial last line: %w", err)
	}
	return size, nil
}

// Close closes the file and the syslog connection.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []error
	if l.f != nil {
		errs = append(errs, l.f.Close())
		l.f = nil
	}
	if l.syslog != nil {
		errs = append(errs, l.syslog.Close())
		l.syslog = nil
	}
	return errors.Join(errs...)
}
