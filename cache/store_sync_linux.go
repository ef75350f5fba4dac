package cache

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to start writing bytes [off, off+n) of
// the file at path to disk, so that the commit's fsync has little left to
// do. It may wait for the disk's queue, so callers run it on its own; a
// file gone meanwhile (committed, discarded) is no matter.
func startWriteback(path string, off, n int64) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	_ = unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}
