package artifacts_test

import (
	"bytes"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkUploadDownload64MiB passes a 64 MiB artifact from one job to
// the next over loopback, as upload/download-artifact v3 and v4 do, and
// reports MB/s each way.
func BenchmarkUploadDownload64MiB(b *testing.B) {
	const size = 64 << 20
	data := make([]byte, size)
	_, _ = rand.Read(data)
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "blob"), data, 0o644); err != nil {
		b.Fatal(err)
	}
	mbps := func(d time.Duration) float64 { return float64(size) / 1e6 / d.Seconds() }

	b.Run("v3", func(b *testing.B) {
		ts := newTestServer(b, nil)
		var up, down time.Duration
		for i := 0; b.Loop(); i++ {
			runID := int64(i + 1)
			start := time.Now()
			if err := ts.client(runID, 1).UploadV3(b.Context(), "big", dir, 0); err != nil {
				b.Fatal(err)
			}
			up += time.Since(start)
			out := b.TempDir()
			start = time.Now()
			if err := ts.client(runID, 2).DownloadV3(b.Context(), "big", out); err != nil {
				b.Fatal(err)
			}
			down += time.Since(start)
		}
		b.SetBytes(2 * size)
		b.ReportMetric(mbps(up/time.Duration(b.N)), "upload-MB/s")
		b.ReportMetric(mbps(down/time.Duration(b.N)), "download-MB/s")
	})
	b.Run("v4", func(b *testing.B) {
		ts := newTestServer(b, nil)
		var up, down time.Duration
		for i := 0; b.Loop(); i++ {
			runID := int64(i + 1)
			start := time.Now()
			if _, err := ts.client(runID, 1).UploadV4(b.Context(), "big", bytes.NewReader(data), 0); err != nil {
				b.Fatal(err)
			}
			up += time.Since(start)
			start = time.Now()
			if err := ts.client(runID, 2).DownloadV4(b.Context(), "big", io.Discard); err != nil {
				b.Fatal(err)
			}
			down += time.Since(start)
		}
		b.SetBytes(2 * size)
		b.ReportMetric(mbps(up/time.Duration(b.N)), "upload-MB/s")
		b.ReportMetric(mbps(down/time.Duration(b.N)), "download-MB/s")
	})
}
