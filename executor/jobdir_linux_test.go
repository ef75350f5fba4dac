//go:build linux

package executor

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestMarkTopDir checks that a job root on ext2/3/4 gets FS_TOPDIR_FL, so
// its directories leave the churned block group of the work dir's parent,
// and that marking twice keeps the directory's other flags.
func TestMarkTopDir(t *testing.T) {
	base := t.TempDir()
	var st unix.Statfs_t
	if err := unix.Statfs(base, &st); err != nil {
		t.Fatal(err)
	}
	if st.Type != unix.EXT4_SUPER_MAGIC { // also ext2 and ext3
		t.Skipf("TMPDIR (%s) is not on ext2/3/4 (file system magic %#x): the flag is ext4's", base, st.Type)
	}
	dir := filepath.Join(base, "job-1")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	before := dirFlags(t, dir)
	markTopDir(dir)
	markTopDir(dir)
	after := dirFlags(t, dir)
	if after != before|fsTopDir {
		t.Fatalf("flags of the job root: %#x, want %#x (the earlier %#x plus FS_TOPDIR_FL)", after, before|fsTopDir, before)
	}
}

func dirFlags(t *testing.T, dir string) uint32 {
	t.Helper()
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	flags, err := unix.IoctlGetUint32(fd, unix.FS_IOC_GETFLAGS)
	if err != nil {
		t.Fatalf("reading the flags of %s: %v", dir, err)
	}
	return flags
}
