package artifacts_test

import (
	"strings"
	"testing"
	"time"
)

func TestRetention(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	c := ts.client(1, 1)
	if err := c.UploadV3(t.Context(), "short", writeTree(t, map[string]string{"f": "x"}), 1); err != nil {
		t.Fatal(err)
	}
	if err := c.UploadV3(t.Context(), "default", writeTree(t, map[string]string{"f": "x"}), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadV4(t.Context(), "short4", strings.NewReader("x"), 36*time.Hour); err != nil {
		t.Fatal(err)
	}
	ts.clock.Advance(2 * 24 * time.Hour)
	list, err := c.ListV3(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Name != "default" {
		t.Errorf("ListV3 after 2 days = %+v, want only default (90 days)", list)
	}
	if list, err := c.ListV4(t.Context(), ""); err != nil || len(list) != 0 {
		t.Errorf("ListV4 after 2 days = %+v, %v, want none", list, err)
	}
	if n := ts.srv.Prune(); n != 2 {
		t.Errorf("Prune removed %d, want 2", n)
	}
	ts.clock.Advance(89 * 24 * time.Hour)
	if n := ts.srv.Prune(); n != 1 {
		t.Errorf("Prune after 91 days removed %d, want 1", n)
	}
}
