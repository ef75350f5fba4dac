package cache

import (
	"fmt"
	"os"
	"path/filepath"
)

// LockDir creates dir and takes its lock, so that two processes never
// serve one cache directory (each would discard the other's uploads).
// release gives it back; a directory in use is ErrDirInUse.
func LockDir(dir string) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the cache directory: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("locking the cache directory: %w", err)
	}
	ok, err := tryLock(f)
	if err != nil || !ok {
		f.Close()
		if err == nil {
			err = ErrDirInUse
		}
		return nil, fmt.Errorf("cache directory %s: %w", dir, err)
	}
	return func() { unlock(f); f.Close() }, nil
}
