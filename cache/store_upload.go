package cache

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// Limits of what a client may send.
const (
	maxKeyLen     = 512
	maxVersionLen = 512
	maxBlocks     = 50000
	maxBlockIDLen = 100 // Azure's: base64 of at most 64 bytes; hex-encoded it stays a valid file name
)

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// copyN copies exactly n bytes of r to w (n < 0: all of r) with a pooled
// buffer, so that an entry streams to disk in small pieces.
func copyN(w io.Writer, r io.Reader, n int64) (int64, error) {
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	if n < 0 {
		return io.CopyBuffer(w, r, *buf)
	}
	got, err := io.CopyBuffer(w, io.LimitReader(r, n), *buf)
	if err != nil {
		return got, err
	}
	if got < n {
		return got, badRequestf("the body ended after %d of the %d bytes its Content-Range announced", got, n)
	}
	var one [1]byte
	if k, _ := r.Read(one[:]); k > 0 {
		return got, badRequestf("the body is longer than the %d bytes its Content-Range announced", n)
	}
	return got, nil
}

func validKey(key, version string) error {
	switch {
	case key == "":
		return badRequestf("the cache key is empty")
	case len(key) > maxKeyLen:
		return badRequestf("the cache key is longer than %d characters", maxKeyLen)
	case strings.Contains(key, ","):
		return badRequestf("the cache key %q contains a comma, which separates keys in a lookup", key)
	case len(version) > maxVersionLen:
		return badRequestf("the cache version is longer than %d characters", maxVersionLen)
	}
	return nil
}

// reserve starts the upload of key and version for o. It refuses (409)
// when the entry exists or another job is saving it; size (0: unknown)
// is checked against the size limit.
func (s *store) reserve(o owner, key, version string, size int64) (*entry, error) {
	if err := validKey(key, version); err != nil {
		return nil, err
	}
	if size < 0 {
		return nil, badRequestf("the cache size is negative")
	}
	if size > s.maxSize {
		return nil, badRequestf("the entry of %d bytes is over this cache server's limit of %d bytes (cache.max_size)", size, s.maxSize)
	}
	nonce, err := newNonce()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.entries {
		if !e.sameIdentity(o, key, version) {
			continue
		}
		if e.committed {
			return nil, conflictf("the cache entry %q already exists for %s and cannot change: entries are immutable, so save under a new key (e.g. with a hash of the inputs)", key, o.ref)
		}
		return nil, conflictf("another job is saving the cache entry %q for %s right now; this save is skipped", key, o.ref)
	}
	e := &entry{
		record:     record{ID: s.nextID, Nonce: nonce, Repo: o.repo, Ref: o.ref, Key: key, Version: version, Size: size},
		lastActive: s.now(),
	}
	f, err := os.OpenFile(s.partPath(e.ID), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating the cache upload: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("creating the cache upload: %w", err)
	}
	s.nextID++
	s.entries[e.ID] = e
	return e, nil
}

// uploading finds the upload id that o may write (o nil: any owner, for
// signed URLs) and counts a writer in; done must be called after.
func (s *store) uploading(id uint64, o *owner) (*entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entries[id]
	if e == nil || (o != nil && !e.ownedBy(*o)) {
		return nil, notFoundf("there is no cache upload %d for this job: reserve the entry first", id)
	}
	if e.committed || e.committing {
		return nil, conflictf("the cache entry %q is already saved and cannot change", e.Key)
	}
	e.writers++
	e.lastActive = s.now()
	return e, nil
}

// done counts a writer out and records the bytes it wrote (n < 0: none).
func (s *store) done(e *entry, start, n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.writers--
	e.lastActive = s.now()
	if n > 0 {
		e.got.add(start, start+n)
	}
}

// limit is the most bytes an upload may hold.
func (s *store) limit(e *entry) int64 {
	if e.Size > 0 {
		return e.Size
	}
	return s.maxSize
}

// writeChunk writes the n bytes of body at offset start of upload id.
func (s *store) writeChunk(o owner, id uint64, start, n int64, body io.Reader) error {
	e, err := s.uploading(id, &o)
	if err != nil {
		return err
	}
	written := int64(-1)
	defer func() { s.done(e, start, written) }()
	if start < 0 || n < 0 || start+n > s.limit(e) {
		return badRequestf("the chunk at bytes %d-%d is beyond the entry's size of %d bytes", start, start+n-1, s.limit(e))
	}
	f, err := os.OpenFile(s.partPath(id), os.O_WRONLY, 0)
	if err != nil {
		return s.gone(err)
	}
	got, err := copyN(io.NewOffsetWriter(f, start), body, n)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	written = got
	go startWriteback(s.partPath(id), start, got)
	return nil
}

// gone maps a missing upload file (discarded by a timeout meanwhile) to a
// refusal.
func (s *store) gone(err error) error {
	if isNotExist(err) {
		return notFoundf("the cache upload was discarded after %s without progress: save again", s.uploadTimeout)
	}
	return fmt.Errorf("writing the cache upload: %w", err)
}
