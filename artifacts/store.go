package artifacts

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// scope is whom an artifact belongs to.
type scope struct {
	repository string
	runID      int64
}

func (id Identity) scope() scope { return scope{repository: id.Repository, runID: id.RunID} }

type status int

const (
	statusPending   status = iota + 1 // uploading, not listed
	statusConfirmed                   // finalized: listed and downloadable
)

// part is one stored piece of an upload: a v3 chunk, a v4 appended chunk
// or a v4 block.
type part struct {
	start, end int64 // end = start+size-1; a chunk's place in the file
	file       string
}

func (p part) size() int64 { return p.end - p.start + 1 }

// record is one artifact row, as Gitea's action_artifact: v3 stores one per
// file of an artifact (path is the file's path in it), v4 one per artifact
// (path is name+".zip", encoding "application/zip").
type record struct {
	id             int64
	scope          scope
	name, path     string
	encoding       string // v3: "gzip" or ""; v4: v4Encoding
	fileSize       int64  // the uncompressed size
	compressedSize int64  // the stored size
	status         status
	created        time.Time
	expires        time.Time
	blob           string          // the finalized content, "" before
	chunks         map[int64]part  // by start: v3 chunks, v4 appended chunks
	blocks         map[string]part // v4 staged blocks by block id (start unused)
	blockList      []string        // v4 committed block ids; nil when none came
	merging        sync.Mutex      // one finalize at a time
}

func (r *record) expired(now time.Time) bool {
	return !r.expires.IsZero() && now.After(r.expires)
}

// store keeps artifact contents under dir and their index in memory.
type store struct {
	dir string // holds parts/ and blobs/
	now func() time.Time

	mu      sync.Mutex
	lastID  int64
	records map[int64]*record
}

func newStore(dir string, now func() time.Time) (*store, error) {
	for _, sub := range []string{"parts", "blobs"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("creating the artifact directory: %w", err)
		}
	}
	return &store{dir: dir, now: now, records: map[int64]*record{}}, nil
}

// createOrGet returns the artifact of sc with this name and path, creating
// it pending; either way its expiry becomes expires (Gitea's CreateArtifact).
func (st *store) createOrGet(sc scope, name, path string, expires time.Time) *record {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, r := range st.records {
		if r.scope == sc && r.name == name && r.path == path {
			r.expires = expires
			return r
		}
	}
	st.lastID++
	r := &record{
		id: st.lastID, scope: sc, name: name, path: path, status: statusPending,
		created: st.now(), expires: expires, chunks: map[int64]part{}, blocks: map[string]part{},
	}
	st.records[r.id] = r
	return r
}

// find returns the artifacts of sc in id order that keep says to keep; with
// s.mu held, keep sees a consistent record.
func (st *store) find(sc scope, keep func(*record) bool) []*record {
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []*record
	for _, r := range st.records {
		if r.scope == sc && keep(r) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *record) int { return cmp.Compare(a.id, b.id) })
	return out
}

// byID returns the artifact with this id, or nil.
func (st *store) byID(id int64) *record {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.records[id]
}

// writePart streams body into a new part file of artifact id. want is the
// size the body must have (-1: any); check, when not nil, sees every byte.
func (st *store) writePart(id int64, body io.Reader, want int64, check io.Writer) (string, int64, error) {
	f, err := os.CreateTemp(filepath.Join(st.dir, "parts"), fmt.Sprintf("%d-*", id))
	if err != nil {
		return "", 0, fmt.Errorf("creating a chunk file: %w", err)
	}
	if check != nil {
		body = io.TeeReader(body, check)
	}
	n, err := io.Copy(f, body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && want >= 0 && n != want {
		err = fmt.Errorf("%w: got %d bytes, want %d", errShortChunk, n, want)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", 0, err
	}
	return f.Name(), n, nil
}

var errShortChunk = errors.New("the chunk's size does not match its headers")

// addChunk records a chunk at its start, replacing (and removing) one sent
// before at the same place: a retried chunk.
func (st *store) addChunk(r *record, p part) {
	st.mu.Lock()
	old, ok := r.chunks[p.start]
	r.chunks[p.start] = p
	st.mu.Unlock()
	if ok {
		_ = os.Remove(old.file)
	}
}

// addBlock records a staged block, replacing one with the same id.
func (st *store) addBlock(r *record, blockID string, p part) {
	st.mu.Lock()
	old, ok := r.blocks[blockID]
	r.blocks[blockID] = p
	st.mu.Unlock()
	if ok {
		_ = os.Remove(old.file)
	}
}

// contiguous returns r's chunks from offset 0 on, in order, as far as they
// join up (Gitea's mergeChunksForArtifact), with s.mu held.
func contiguous(chunks map[int64]part) []part {
	all := slices.SortedFunc(func(yield func(part) bool) {
		for _, p := range chunks {
			if !yield(p) {
				return
			}
		}
	}, func(a, b part) int { return cmp.Compare(a.start, b.start) })
	var out []part
	at := int64(-1)
	for _, p := range all {
		if p.start == at+1 {
			out = append(out, p)
			at = p.end
		}
	}
	return out
}

var errChecksum = errors.New("the artifact's checksum does not match its content")

// finalize concatenates parts into r's content and confirms r. checksum,
// when it is "sha256:HEX", must match the content. The parts and every
// other chunk or block of r are removed afterwards, also when the
// checksum does not match: as on Gitea, the upload must then start again.
func (st *store) finalize(r *record, parts []part, checksum string) error {
	blob, size, err := st.concat(r.id, parts, checksum)
	if errors.Is(err, errChecksum) {
		st.dropParts(r)
	}
	if err != nil {
		return err
	}
	st.mu.Lock()
	old := r.blob
	r.blob, r.status, r.compressedSize = blob, statusConfirmed, size
	stale := []string{}
	if old != "" {
		stale = append(stale, old)
	}
	for _, p := range r.chunks {
		stale = append(stale, p.file)
	}
	for _, p := range r.blocks {
		stale = append(stale, p.file)
	}
	r.chunks, r.blocks, r.blockList = map[int64]part{}, map[string]part{}, nil
	st.mu.Unlock()
	for _, f := range stale {
		_ = os.Remove(f)
	}
	return nil
}

// dropParts removes every chunk and block r has.
func (st *store) dropParts(r *record) {
	st.mu.Lock()
	var files []string
	for _, p := range r.chunks {
		files = append(files, p.file)
	}
	for _, p := range r.blocks {
		files = append(files, p.file)
	}
	r.chunks, r.blocks = map[int64]part{}, map[string]part{}
	st.mu.Unlock()
	for _, f := range files {
		_ = os.Remove(f)
	}
}

// concat writes parts, in order, to a new content file of artifact id.
func (st *store) concat(id int64, parts []part, checksum string) (string, int64, error) {
	f, err := os.CreateTemp(filepath.Join(st.dir, "blobs"), fmt.Sprintf("%d-*", id))
	if err != nil {
		return "", 0, fmt.Errorf("creating the artifact file: %w", err)
	}
	fail := func(err error) (string, int64, error) {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return "", 0, err
	}
	want, check := strings.CutPrefix(checksum, "sha256:")
	hash := sha256.New()
	var dst io.Writer = f
	if check {
		dst = io.MultiWriter(f, hash)
	}
	var total int64
	for _, p := range parts {
		if err := copyPart(dst, p); err != nil {
			return fail(err)
		}
		total += p.size()
	}
	if check && hex.EncodeToString(hash.Sum(nil)) != strings.ToLower(want) {
		return fail(errChecksum)
	}
	if err := f.Close(); err != nil {
		return fail(fmt.Errorf("writing the artifact file: %w", err))
	}
	return f.Name(), total, nil
}

func copyPart(dst io.Writer, p part) error {
	f, err := os.Open(p.file)
	if err != nil {
		return fmt.Errorf("opening a chunk: %w", err)
	}
	defer func() { _ = f.Close() }()
	n, err := io.Copy(dst, f)
	if err != nil {
		return fmt.Errorf("copying a chunk: %w", err)
	}
	if n != p.size() {
		return fmt.Errorf("%w: a chunk has %d bytes, its range %d", errShortChunk, n, p.size())
	}
	return nil
}

// open returns the content of a confirmed, unexpired artifact.
func (st *store) open(r *record) (*os.File, error) {
	st.mu.Lock()
	blob, ok := r.blob, r.status == statusConfirmed && !r.expired(st.now())
	st.mu.Unlock()
	if !ok {
		return nil, os.ErrNotExist
	}
	return os.Open(blob)
}

// remove deletes artifacts and their files.
func (st *store) remove(rs []*record) {
	var files []string
	st.mu.Lock()
	for _, r := range rs {
		delete(st.records, r.id)
		if r.blob != "" {
			files = append(files, r.blob)
		}
		for _, p := range r.chunks {
			files = append(files, p.file)
		}
		for _, p := range r.blocks {
			files = append(files, p.file)
		}
		r.blob, r.chunks, r.blocks = "", map[int64]part{}, map[string]part{}
	}
	st.mu.Unlock()
	for _, f := range files {
		_ = os.Remove(f)
	}
}

func removeFile(name string) error {
	if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
