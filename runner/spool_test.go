package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSpoolReadsFromAnyRow(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "log")
	s, err := openSpool(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 3*markEvery + 17
	base := time.Unix(1700000000, 0)
	for i := range n {
		if _, err := s.Append(base.Add(time.Duration(i)), fmt.Sprintf("row %d %s", i, make([]byte, i%7))); err != nil {
			t.Fatal(err)
		}
	}
	total := s.Rows()
	for _, start := range []int64{0, 1, markEvery - 1, markEvery, 2*markEvery + 5, n - 1, n} {
		c, err := s.seek(start)
		if err != nil {
			t.Fatalf("seek(%d): %v", start, err)
		}
		rows, next, err := s.Read(c, total, 10, 1<<20)
		if err != nil {
			t.Fatalf("Read from %d: %v", start, err)
		}
		want := min(10, n-start)
		if int64(len(rows)) != want || next.row != start+want {
			t.Fatalf("Read from %d: %d rows, next %d; want %d rows", start, len(rows), next.row, want)
		}
		for i, r := range rows {
			row := start + int64(i)
			if r.Content != fmt.Sprintf("row %d %s", row, make([]byte, row%7)) || !r.Time.Equal(base.Add(time.Duration(row))) {
				t.Fatalf("row %d = %q at %v", row, r.Content, r.Time)
			}
		}
	}
	// maxBytes bounds a batch, but a batch has at least one row.
	c, _ := s.seek(0)
	if rows, _, _ := s.Read(c, total, 100, 1); len(rows) != 1 {
		t.Errorf("Read with maxBytes 1 gave %d rows, want 1", len(rows))
	}
}

func TestSpoolReopenCutsATornRecord(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "log")
	s, err := openSpool(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := s.Append(time.Now(), fmt.Sprintf("row %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	// A crash in the middle of writing a sixth record.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9, 'p', 'a'})
	f.Close()

	s, err = openSpool(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if total := s.Rows(); total != 5 {
		t.Fatalf("reopened spool has %d rows, want 5", total)
	}
	if i, err := s.Append(time.Now(), "row 5"); err != nil || i != 5 {
		t.Fatalf("Append after reopening = %d, %v; want row 5", i, err)
	}
	c, _ := s.seek(3)
	rows, _, err := s.Read(c, 6, 10, 1<<20)
	if err != nil || len(rows) != 3 || rows[2].Content != "row 5" {
		t.Errorf("rows 3..5 after reopening = %v, %v", rows, err)
	}
}
