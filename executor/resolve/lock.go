package resolve

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// keyedLocks is a mutex per key whose Lock honours ctx.
type keyedLocks struct {
	mu    sync.Mutex
	locks map[string]chan struct{}
}

// lock takes the lock for key; call the returned function to release it.
func (k *keyedLocks) lock(ctx context.Context, key string) (func(), error) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]chan struct{}{}
	}
	ch, ok := k.locks[key]
	if !ok {
		ch = make(chan struct{}, 1)
		k.locks[key] = ch
	}
	k.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// lockPoll is how often a process waiting for another one's file lock
// tries again.
const lockPoll = 20 * time.Millisecond

// lockKey takes the in-process lock for key, then the file lock
// cacheDir/locks/NAME.lock that other anvil processes sharing the cache
// take too. The returned function releases both.
func (r *Resolver) lockKey(ctx context.Context, name string) (func(), error) {
	release, err := r.locks.lock(ctx, name)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(r.cfg.CacheDir, "locks", name+".lock")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		release()
		return nil, fmt.Errorf("creating the action cache: %w (give a writable directory, e.g. with --action-cache)", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		release()
		return nil, fmt.Errorf("opening the cache lock %s: %w (check that the action cache is writable)", path, err)
	}
	for {
		ok, err := tryLockFile(f)
		if err != nil {
			f.Close()
			release()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if ok {
			break
		}
		select {
		case <-ctx.Done():
			f.Close()
			release()
			return nil, context.Cause(ctx)
		case <-time.After(lockPoll):
		}
	}
	return func() {
		unlockFile(f)
		f.Close()
		release()
	}, nil
}
