package cache

import (
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// putWhole replaces the data of upload e with body (a single-shot blob
// upload).
func (s *store) putWhole(e *entry, body io.Reader) error {
	e, err := s.uploading(e.ID, nil)
	if err != nil {
		return err
	}
	written := int64(-1)
	defer func() { s.done(e, 0, written) }()
	f, err := os.OpenFile(s.partPath(e.ID), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return s.gone(err)
	}
	got, err := copyN(f, io.LimitReader(body, s.limit(e)+1), -1)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if got > s.limit(e) {
		return badRequestf("the upload is over the entry's limit of %d bytes", s.limit(e))
	}
	s.mu.Lock()
	e.got = nil
	s.mu.Unlock()
	written = got
	return nil
}

// putBlock stages one block of upload e under its id.
func (s *store) putBlock(e *entry, blockID string, body io.Reader) error {
	name, err := blockName(blockID)
	if err != nil {
		return err
	}
	e, err = s.uploading(e.ID, nil)
	if err != nil {
		return err
	}
	defer s.done(e, 0, -1)
	if err := os.MkdirAll(s.blocksDir(e.ID), 0o700); err != nil {
		return s.gone(err)
	}
	f, err := os.OpenFile(filepath.Join(s.blocksDir(e.ID), name), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return s.gone(err)
	}
	got, err := copyN(f, io.LimitReader(body, s.limit(e)+1), -1)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.blocks == nil {
		e.blocks = map[string]int64{}
	}
	e.blocks[name] = got
	var total int64
	for _, n := range e.blocks {
		total += n
	}
	if len(e.blocks) > maxBlocks || total > s.limit(e) {
		return badRequestf("the staged blocks are over the entry's limit of %d bytes or %d blocks", s.limit(e), maxBlocks)
	}
	return nil
}

// putBlockList assembles upload e's data from its staged blocks, in the
// order of ids; the blocks are then dropped.
func (s *store) putBlockList(e *entry, ids []string) error {
	e, err := s.uploading(e.ID, nil)
	if err != nil {
		return err
	}
	written := int64(-1)
	defer func() { s.done(e, 0, written) }()
	names := make([]string, len(ids))
	s.mu.Lock()
	for i, id := range ids {
		n, err := blockName(id)
		if _, ok := e.blocks[n]; err == nil && !ok {
			err = badRequestf("block %q was not uploaded before the block list", id)
		}
		if err != nil {
			s.mu.Unlock()
			return err
		}
		names[i] = n
	}
	s.mu.Unlock()
	f, err := os.OpenFile(s.partPath(e.ID), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return s.gone(err)
	}
	var total int64
	for _, n := range names {
		b, err := os.Open(filepath.Join(s.blocksDir(e.ID), n))
		if err != nil {
			f.Close()
			return s.gone(err)
		}
		k, err := io.Copy(f, b) // copy_file_range on Linux: the bytes stay in the kernel
		b.Close()
		total += k
		if err != nil {
			f.Close()
			return fmt.Errorf("assembling the cache upload: %w", err)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("assembling the cache upload: %w", err)
	}
	os.RemoveAll(s.blocksDir(e.ID))
	s.mu.Lock()
	e.blocks, e.got = nil, nil
	s.mu.Unlock()
	written = total
	return nil
}

// blockName turns a block id (base64, as Azure's clients send it) into a
// safe file name.
func blockName(id string) (string, error) {
	if id == "" || len(id) > maxBlockIDLen {
		return "", badRequestf("the block id %q is empty or too long", id)
	}
	return hex.EncodeToString([]byte(id)), nil
}

// gone maps a missing upload file (discarded by a timeout meanwhile) to a
// refusal.
func (s *store) gone(err error) error {
	if isNotExist(err) {
		return notFoundf("the cache upload was discarded after %s without progress: save again", s.uploadTimeout)
	}
	return fmt.Errorf("writing the cache upload: %w", err)
}

// commit makes upload id of o the entry of size bytes: its data must be
// exactly [0, size). After it, the entry is immutable.
func (s *store) commit(o owner, id uint64, size int64) (record, error) {
	s.mu.Lock()
	e := s.entries[id]
	if e == nil || !e.ownedBy(o) {
		s.mu.Unlock()
		return record{}, notFoundf("there is no cache upload %d for this job: reserve the entry first", id)
	}
	return s.commitLocked(e, size)
}

// commitByKey commits o's upload of key and version (the v2 API names
// entries by key, not by id).
func (s *store) commitByKey(o owner, key, version string, size int64) (record, error) {
	s.mu.Lock()
	for _, e := range s.entries {
		if !e.committed && e.sameIdentity(o, key, version) {
			return s.commitLocked(e, size)
		}
	}
	s.mu.Unlock()
	return record{}, notFoundf("there is no upload of the cache entry %q for this job: create the entry first", key)
}

// commitLocked commits e; s.mu is held on entry and released.
func (s *store) commitLocked(e *entry, size int64) (record, error) {
	err := func() error {
		switch {
		case e.committed || e.committing:
			return conflictf("the cache entry %q is already saved and cannot change", e.Key)
		case e.writers > 0:
			return conflictf("parts of the cache entry %q are still uploading: commit after every upload has finished", e.Key)
		case size < 0 || size > s.maxSize:
			return badRequestf("the entry of %d bytes is over this cache server's limit of %d bytes (cache.max_size)", size, s.maxSize)
		case e.Size > 0 && size != e.Size:
			return badRequestf("the commit says %d bytes but the entry was reserved with %d", size, e.Size)
		case !e.got.exactly(size):
			return badRequestf("the uploaded bytes of %q do not make up bytes 0-%d: upload every chunk before committing", e.Key, size-1)
		}
		return nil
	}()
	if err != nil {
		s.mu.Unlock()
		return record{}, err
	}
	e.committing = true
	s.mu.Unlock()

	err = s.persist(e.ID, size)

	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil && s.entries[e.ID] != e {
		err = notFoundf("the cache upload was discarded while committing: save again")
	}
	if err != nil {
		os.Remove(s.blobPath(e.ID))
		if s.entries[e.ID] == e {
			s.removeLocked(e)
		}
		return record{}, err
	}
	now := s.now()
	r := e.record
	r.Size, r.CreatedAt, r.UsedAt = size, now, now
	if err := s.writeRecord(r, true); err != nil {
		os.Remove(s.blobPath(e.ID))
		s.removeLocked(e)
		return record{}, err
	}
	e.record, e.committed, e.committing, e.got, e.blocks = r, true, false, nil, nil
	s.total += size
	return r, nil
}

// persist syncs the upload's data and moves it among the committed ones.
func (s *store) persist(id uint64, size int64) error {
	f, err := os.OpenFile(s.partPath(id), os.O_WRONLY, 0)
	if err != nil {
		return s.gone(err)
	}
	err = f.Truncate(size)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(s.partPath(id), s.blobPath(id))
	}
	if err != nil {
		return fmt.Errorf("committing the cache entry: %w", err)
	}
	return nil
}
