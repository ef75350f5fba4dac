package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// store keeps the entries: committed ones in blobs/ with one JSON record
// each in index/, uploads in progress in uploads/ and in memory only.
type store struct {
	dir           string
	now           func() time.Time
	maxSize       int64
	maxAge        time.Duration
	uploadTimeout time.Duration

	mu      sync.Mutex
	nextID  uint64
	entries map[uint64]*entry
	total   int64 // bytes of committed entries
}

// record is an entry's persisted part.
type record struct {
	ID        uint64    `json:"id"`
	Nonce     string    `json:"nonce"`
	Repo      string    `json:"repository"`
	Ref       string    `json:"ref"`
	Key       string    `json:"key"`
	Version   string    `json:"version"`
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"created_at"`
	UsedAt    time.Time `json:"used_at"`
}

// entry is a committed entry or an upload in progress.
type entry struct {
	record
	committed bool
	// Upload state, while not committed.
	committing bool
	writers    int
	got        ranges
	blocks     map[string]int64
	lastActive time.Time
}

// owner is the repository and ref an entry belongs to.
type owner struct{ repo, ref string }

func (e *entry) ownedBy(o owner) bool { return e.Repo == o.repo && e.Ref == o.ref }

// sameIdentity reports whether e is the entry of key and version of o;
// keys compare without regard to case, as @actions/cache does.
func (e *entry) sameIdentity(o owner, key, version string) bool {
	return e.ownedBy(o) && strings.EqualFold(e.Key, key) && e.Version == version
}

func (s *store) indexPath(id uint64) string {
	return filepath.Join(s.dir, "index", strconv.FormatUint(id, 10)+".json")
}
func (s *store) blobPath(id uint64) string {
	return filepath.Join(s.dir, "blobs", strconv.FormatUint(id, 10))
}
func (s *store) partPath(id uint64) string {
	return filepath.Join(s.dir, "uploads", strconv.FormatUint(id, 10))
}
func (s *store) blocksDir(id uint64) string {
	return filepath.Join(s.dir, "uploads", strconv.FormatUint(id, 10)+".blocks")
}

// openStore loads the index under dir, discarding uploads that were never
// committed, records whose data is missing or of the wrong size, and data
// without a record.
func openStore(ctx context.Context, dir string, o Options) (*store, error) {
	s := &store{
		dir: dir, now: o.Now, maxSize: o.MaxSize, maxAge: o.MaxAge,
		uploadTimeout: o.UploadTimeout, entries: map[uint64]*entry{}, nextID: 1,
	}
	if err := discardUploads(filepath.Join(dir, "uploads")); err != nil {
		return nil, fmt.Errorf("discarding unfinished cache uploads: %w", err)
	}
	for _, sub := range []string{"index", "blobs", "uploads"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("creating the cache directory: %w", err)
		}
	}
	names, err := os.ReadDir(filepath.Join(dir, "index"))
	if err != nil {
		return nil, fmt.Errorf("reading the cache index: %w", err)
	}
	for _, n := range names {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s.load(filepath.Join(dir, "index", n.Name()))
	}
	blobs, err := os.ReadDir(filepath.Join(dir, "blobs"))
	if err != nil {
		return nil, fmt.Errorf("reading the cache directory: %w", err)
	}
	for _, b := range blobs {
		id, err := strconv.ParseUint(b.Name(), 10, 64)
		if e := s.entries[id]; err != nil || e == nil {
			os.RemoveAll(filepath.Join(dir, "blobs", b.Name()))
		}
	}
	return s, nil
}

// discardUploads empties uploads, the directory of uploads in progress,
// and keeps the directory itself: removing and creating it again at every
// start freed and allocated a disk block each time, which costs a
// synchronous discard on a file system mounted with -o discard. Anything
// else than a directory there is removed.
func discardUploads(uploads string) error {
	names, err := os.ReadDir(uploads)
	if err != nil {
		return os.RemoveAll(uploads)
	}
	for _, n := range names {
		if err := os.RemoveAll(filepath.Join(uploads, n.Name())); err != nil {
			return err
		}
	}
	return nil
}

// load adds the committed entry of one index file, or removes the file
// (and its data) when it does not describe one.
func (s *store) load(path string) {
	var r record
	b, err := os.ReadFile(path)
	if err == nil && strings.HasSuffix(path, ".json") {
		err = json.Unmarshal(b, &r)
	} else if err == nil {
		err = errors.New("not an index record")
	}
	if err != nil || r.ID == 0 || path != s.indexPath(r.ID) {
		os.Remove(path)
		return
	}
	fi, err := os.Stat(s.blobPath(r.ID))
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != r.Size {
		os.Remove(path)
		os.Remove(s.blobPath(r.ID))
		return
	}
	s.entries[r.ID] = &entry{record: r, committed: true}
	s.total += r.Size
	s.nextID = max(s.nextID, r.ID+1)
}

// writeRecord writes e's record by atomic rename; durable syncs the file
// and the directory (for a commit, not for a last-use time).
func (s *store) writeRecord(r record, durable bool) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encoding the cache index record: %w", err)
	}
	path := s.indexPath(r.ID)
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("writing the cache index: %w", err)
	}
	_, err = f.Write(b)
	if err == nil && durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil && durable {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing the cache index: %w", err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// removeLocked forgets e and deletes its files. s.mu is held.
func (s *store) removeLocked(e *entry) {
	delete(s.entries, e.ID)
	if e.committed {
		s.total -= e.Size
		os.Remove(s.indexPath(e.ID))
		os.Remove(s.blobPath(e.ID))
		return
	}
	os.Remove(s.partPath(e.ID))
	os.RemoveAll(s.blocksDir(e.ID))
}

// newNonce returns a random value that ties signed URLs to one entry, so
// that a URL never reaches a later entry that reuses an evicted ID.
func newNonce() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making a cache entry nonce: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// isNotExist reports a missing file.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
