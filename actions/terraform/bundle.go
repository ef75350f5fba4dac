package terraform

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"
)

// BundleFormat names the bundle layout in its metadata.
const BundleFormat = "anvil-terraform-bundle/v1"

// Names of the files in a bundle (a tar archive).
const (
	bundleMetaName = "anvil-bundle.json"
	bundlePlanName = "plan.tfplan"
	bundleLockName = ".terraform.lock.hcl"
)

// MaxBundleSize bounds what ReadBundle accepts.
const MaxBundleSize = 512 << 20

// ageHeader starts every age-encrypted file.
var ageHeader = []byte("age-encryption.org/v1\n")

// BundleMeta describes a bundle's plan.
type BundleMeta struct {
	Format           string `json:"format"`
	TerraformVersion string `json:"terraform_version"`
	// Workspace is the workspace the plan was made in.
	Workspace string `json:"workspace"`
	Destroy   bool   `json:"destroy,omitempty"`
	Counts    Counts `json:"counts"`
}

// Bundle is a reviewed plan with what applying it needs: the plan file
// (which holds the configuration, variable values and backend settings,
// so it is a secret) and the dependency lock file.
type Bundle struct {
	Meta BundleMeta
	Plan []byte
	// LockFile is .terraform.lock.hcl; nil when the configuration uses no
	// provider that needs one.
	LockFile []byte
}

// Encode returns the bundle as a tar archive, encrypted for passphrase
// with age's scrypt recipient when passphrase is not empty. workFactor is
// scrypt's log2(N); 0 means age's default (18).
func (b *Bundle) Encode(passphrase string, workFactor int) ([]byte, error) {
	meta, err := json.MarshalIndent(b.Meta, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding the bundle metadata: %w", err)
	}
	var plain bytes.Buffer
	tw := tar.NewWriter(&plain)
	files := []struct {
		name string
		data []byte
	}{{bundleMetaName, meta}, {bundlePlanName, b.Plan}}
	if b.LockFile != nil {
		files = append(files, struct {
			name string
			data []byte
		}{bundleLockName, b.LockFile})
	}
	for _, f := range files {
		hdr := &tar.Header{Name: f.name, Mode: 0o600, Size: int64(len(f.data)), ModTime: time.Unix(0, 0), Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("writing the bundle: %w", err)
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, fmt.Errorf("writing the bundle: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("writing the bundle: %w", err)
	}
	if passphrase == "" {
		return plain.Bytes(), nil
	}
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, fmt.Errorf("encrypting the bundle: %w", err)
	}
	if workFactor > 0 {
		r.SetWorkFactor(workFactor)
	}
	var enc bytes.Buffer
	w, err := age.Encrypt(&enc, r)
	if err != nil {
		return nil, fmt.Errorf("encrypting the bundle: %w", err)
	}
	if _, err := w.Write(plain.Bytes()); err != nil {
		return nil, fmt.Errorf("encrypting the bundle: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encrypting the bundle: %w", err)
	}
	return enc.Bytes(), nil
}

// Encrypted reports whether data is an age-encrypted bundle.
func Encrypted(data []byte) bool { return bytes.HasPrefix(data, ageHeader) }

// DecodeBundle reads a bundle Encode wrote, decrypting it with passphrase
// when it is encrypted. Only the bundle's own file names are accepted.
func DecodeBundle(data []byte, passphrase string) (*Bundle, error) {
	r := io.Reader(bytes.NewReader(data))
	if Encrypted(data) {
		if passphrase == "" {
			return nil, errors.New("the bundle is encrypted but no encryption-passphrase was given; pass the passphrase the plan used")
		}
		id, err := age.NewScryptIdentity(passphrase)
		if err != nil {
			return nil, fmt.Errorf("decrypting the bundle: %w", err)
		}
		if r, err = age.Decrypt(r, id); err != nil {
			return nil, fmt.Errorf("decrypting the bundle: %w; check that encryption-passphrase is the one the plan used", err)
		}
	}
	b := &Bundle{}
	var sawMeta, sawPlan bool
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading the bundle: %w; it is not a bundle terraform-plan wrote", err)
		}
		if hdr.Typeflag != tar.TypeReg || hdr.Size > MaxBundleSize {
			return nil, fmt.Errorf("reading the bundle: entry %q is not a regular file of at most %d bytes", hdr.Name, MaxBundleSize)
		}
		data, err := io.ReadAll(io.LimitReader(tr, MaxBundleSize))
		if err != nil {
			return nil, fmt.Errorf("reading the bundle: %w", err)
		}
		switch hdr.Name {
		case bundleMetaName:
			if err := json.Unmarshal(data, &b.Meta); err != nil {
				return nil, fmt.Errorf("reading the bundle metadata: %w", err)
			}
			sawMeta = true
		case bundlePlanName:
			b.Plan, sawPlan = data, true
		case bundleLockName:
			b.LockFile = data
		default:
			return nil, fmt.Errorf("reading the bundle: unexpected entry %q", hdr.Name)
		}
	}
	switch {
	case !sawMeta || !sawPlan:
		return nil, errors.New("reading the bundle: it lacks the plan or its metadata; it is not a bundle terraform-plan wrote")
	case b.Meta.Format != BundleFormat:
		return nil, fmt.Errorf("reading the bundle: format %q, want %q; plan and apply with the same anvil version", b.Meta.Format, BundleFormat)
	}
	return b, nil
}

// SHA256 returns the lower-case hex sha256 of data.
func SHA256(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// writeFileAtomic writes data to path through a temporary file in the
// same directory, readable by the owner only.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".bundle-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
