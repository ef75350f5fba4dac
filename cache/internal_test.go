package cache

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestScopeClaims(t *testing.T) {
	t.Parallel()
	exp := time.Unix(1000, 0)
	tests := []struct {
		name  string
		scope Scope
		want  claims
	}{
		{"push to a branch", Scope{Repository: "Org/App", Ref: "refs/heads/feature", DefaultBranch: "main"},
			claims{Repo: "org/app", Write: "refs/heads/feature", Read: []string{"refs/heads/feature", "refs/heads/main"}, Exp: 1000}},
		{"push to the default branch", Scope{Repository: "o/a", Ref: "refs/heads/main", DefaultBranch: "refs/heads/main"},
			claims{Repo: "o/a", Write: "refs/heads/main", Read: []string{"refs/heads/main"}, Exp: 1000}},
		{"pull request", Scope{Repository: "o/a", Ref: "refs/pull/3/merge", BaseRef: "release", DefaultBranch: "main"},
			claims{Repo: "o/a", Write: "refs/pull/3/merge", Read: []string{"refs/pull/3/merge", "refs/heads/release", "refs/heads/main"}, Exp: 1000}},
		{"tag, default branch unknown", Scope{Repository: "o/a", Ref: "refs/tags/v1"},
			claims{Repo: "o/a", Write: "refs/tags/v1", Read: []string{"refs/tags/v1"}, Exp: 1000}},
		{"branch name for a ref", Scope{Repository: "o/a", Ref: "dev", DefaultBranch: "main"},
			claims{Repo: "o/a", Write: "refs/heads/dev", Read: []string{"refs/heads/dev", "refs/heads/main"}, Exp: 1000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.scope.claims(exp)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("claims(%+v) (-got +want):\n%s", tt.scope, diff)
			}
		})
	}
	for _, s := range []Scope{{Ref: "refs/heads/main"}, {Repository: "o/a"}} {
		if _, err := s.claims(exp); err == nil {
			t.Errorf("claims(%+v) = nil error, want one: repository and ref are required", s)
		}
	}
}

func TestIssuerRoundTrip(t *testing.T) {
	t.Parallel()
	now := time.Unix(5000, 0)
	iss, err := NewIssuer([]byte("s"), time.Hour, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	creds, err := iss.JobCredentials("http://10.0.0.1:4000/", Scope{Repository: "o/a", Ref: "refs/heads/main"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "http://10.0.0.1:4000/_cache/" + creds.Token + "/"; creds.CacheURL != want || creds.ResultsURL != "http://10.0.0.1:4000" {
		t.Errorf("JobCredentials() = %+v, want CacheURL %s and ResultsURL http://10.0.0.1:4000", creds, want)
	}
	c, err := iss.verify(creds.Token)
	if err != nil || c.Repo != "o/a" || c.Exp != now.Add(time.Hour).Unix() {
		t.Errorf("verify() = %+v, %v", c, err)
	}
	if _, err := NewIssuer(nil, 0, nil); err == nil {
		t.Error("NewIssuer(no secret) = nil error, want one")
	}
}

func TestRanges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		adds  [][2]int64
		want  ranges
		exact int64
	}{
		{"in order", [][2]int64{{0, 10}, {10, 20}}, ranges{{0, 20}}, 20},
		{"out of order", [][2]int64{{20, 30}, {0, 10}, {10, 20}}, ranges{{0, 30}}, 30},
		{"a gap", [][2]int64{{0, 10}, {20, 30}}, ranges{{0, 10}, {20, 30}}, -1},
		{"a chunk sent twice", [][2]int64{{0, 10}, {0, 10}, {10, 15}}, ranges{{0, 15}}, 15},
		{"overlapping", [][2]int64{{5, 15}, {0, 10}, {12, 20}}, ranges{{0, 20}}, 20},
		{"not from zero", [][2]int64{{5, 15}}, ranges{{5, 15}}, -1},
		{"empty chunk", [][2]int64{{3, 3}}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r ranges
			for _, a := range tt.adds {
				r.add(a[0], a[1])
			}
			if diff := cmp.Diff(r, tt.want); diff != "" {
				t.Errorf("ranges (-got +want):\n%s", diff)
			}
			if tt.exact >= 0 && !r.exactly(tt.exact) {
				t.Errorf("%v.exactly(%d) = false, want true", r, tt.exact)
			}
			if r.exactly(tt.exact + 1) {
				t.Errorf("%v.exactly(%d) = true, want false", r, tt.exact+1)
			}
		})
	}
}

func TestParseContentRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in         string
		start, end int64
		ok         bool
	}{
		{"bytes 0-199/*", 0, 199, true},
		{"bytes 33554432-67108863/*", 33554432, 67108863, true},
		{"bytes 5-9/10", 5, 9, true},
		{"bytes 9-5/*", 0, 0, false},
		{"bytes -5/*", 0, 0, false},
		{"0-5/*", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tt := range tests {
		start, end, err := parseContentRange(tt.in)
		if (err == nil) != tt.ok || start != tt.start || end != tt.end {
			t.Errorf("parseContentRange(%q) = %d, %d, %v; want %d, %d, ok=%v", tt.in, start, end, err, tt.start, tt.end, tt.ok)
		}
	}
}
