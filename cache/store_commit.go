package cache

import (
	"fmt"
	"os"
)

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
