package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// Read reads the records of an audit log. A last line without its
// newline is what a writer killed mid-write leaves: it is skipped, and
// partial says so. Any other line that is not a record is an error
// naming its line number.
func Read(r io.Reader) (records []Record, partial bool, err error) {
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return records, len(line) > 0, nil
		}
		if err != nil {
			return records, false, fmt.Errorf("reading the audit log: %w", err)
		}
		var rec Record
		if err := json.Unmarshal(bytes.TrimSpace(line), &rec); err != nil {
			return records, false, fmt.Errorf("audit log line %d is not a record: %w", n, err)
		}
		records = append(records, rec)
	}
}

// ReadFile reads the audit log at path; see Read.
func ReadFile(path string) ([]Record, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	return Read(f)
}
