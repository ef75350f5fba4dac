package cache

import (
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

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
