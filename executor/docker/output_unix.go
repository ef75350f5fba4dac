//go:build unix

package docker

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"
)

// output is the FIFO a step's processes write their output to, in the
// job's state directory, read here as the host backend reads its pipe.
type output struct {
	path string
	r    *os.File
	// hold is a write end kept open until the step's wrapper has opened
	// its own (the handshake byte), so that the reader does not see an
	// end of file before the step started.
	hold *os.File
	// started is set once the handshake byte arrived; read it only after
	// copyTo returned.
	started bool
}

// openOutput creates the FIFO at path and opens it for reading.
func openOutput(path string) (*output, error) {
	if err := syscall.Mkfifo(path, 0o666); err != nil {
		return nil, fmt.Errorf("creating the output pipe: %w", err)
	}
	// Steps of a container running as another user must open it too.
	if err := os.Chmod(path, 0o666); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("opening the output pipe to the container's user: %w", err)
	}
	r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("opening the output pipe: %w", err)
	}
	hold, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		r.Close()
		os.Remove(path)
		return nil, fmt.Errorf("opening the output pipe: %w", err)
	}
	return &output{path: path, r: r, hold: hold}, nil
}

// copyTo waits for the handshake byte, then copies the output to w until
// every writer closed the FIFO or stop was called. After a write error it
// keeps reading, so that the step never blocks on a full pipe, and returns
// that error at the end.
func (o *output) copyTo(w io.Writer) error {
	var b [1]byte
	n, err := o.r.Read(b[:])
	o.hold.Close()
	if n == 0 {
		return ignoreStop(err)
	}
	o.started = true
	buf := make([]byte, 32*1024)
	var writeErr error
	for {
		n, err := o.r.Read(buf)
		if n > 0 && writeErr == nil {
			_, writeErr = w.Write(buf[:n])
		}
		if err != nil {
			return errors.Join(writeErr, ignoreStop(err))
		}
	}
}

// stop makes a running copyTo return.
func (o *output) stop() {
	if err := o.r.SetReadDeadline(time.Now()); err != nil {
		o.r.Close()
	}
}

// Close closes and removes the FIFO.
func (o *output) Close() error {
	o.hold.Close()
	o.r.Close()
	return os.Remove(o.path)
}

// ignoreStop treats the end of the output and a stop as normal ends.
func ignoreStop(err error) error {
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}
