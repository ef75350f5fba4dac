package cache_test

import (
	"path/filepath"
	"testing"
)

// The server streams entries to and from disk: saving and restoring an
// entry does not grow its resident memory by anything near the entry's
// size (measured in a separate server process).
func TestServerMemoryDoesNotGrowWithEntrySize(t *testing.T) {
	t.Parallel()
	const size = 64 << 20
	p := startServerProcess(t)
	c := p.client(t, mainA)
	src := archive(t, size, 1)
	idle, _ := p.memory(t)
	if _, err := c.SaveV1(t.Context(), "big", "v1", src); err != nil {
		t.Fatalf("SaveV1() = %v", err)
	}
	c.SingleShotMax, c.BlockSize = 16<<20, 16<<20
	if _, err := c.SaveV2(t.Context(), "big-v2", "v1", src); err != nil {
		t.Fatalf("SaveV2() = %v", err)
	}
	dst := filepath.Join(t.TempDir(), "restored")
	if got, err := c.RestoreV1(t.Context(), []string{"big"}, "v1", dst); err != nil || got != "big" {
		t.Fatalf("RestoreV1() = %q, %v", got, err)
	}
	sameFile(t, dst, src)
	_, peak := p.memory(t)
	if growth := peak - idle; growth > size/2 {
		t.Errorf("the server's peak resident memory grew by %d MiB for a %d MiB entry; want under %d MiB (streaming)", growth>>20, size>>20, size/2>>20)
	}
	t.Logf("server resident memory: idle %d MiB, peak %d MiB", idle>>20, peak>>20)
}
