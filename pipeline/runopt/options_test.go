package runopt

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSplit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []string
		wantErr string
	}{
		{in: "", want: nil},
		{in: "  --cpus 1\t--init\n", want: []string{"--cpus", "1", "--init"}},
		{in: `--health-cmd "pg_isready -U postgres"`, want: []string{"--health-cmd", "pg_isready -U postgres"}},
		{in: `-e 'A=b c' -e B="x \"y\" \$z"`, want: []string{"-e", "A=b c", "-e", `B=x "y" $z`}},
		{in: `a\ b 'it''s' ""`, want: []string{"a b", "its", ""}},
		{in: `"open`, wantErr: "unterminated double quote"},
		{in: `'open`, wantErr: "unterminated single quote"},
		{in: `end\`, wantErr: "trailing backslash"},
	}
	for _, tt := range tests {
		got, err := Split(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Split(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Split(%q) error = %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(got, tt.want); diff != "" {
			t.Errorf("Split(%q) (-got +want):\n%s", tt.in, diff)
		}
	}
}

func TestParseOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    *Options
		wantErr string
	}{
		{name: "empty", in: "", want: &Options{}},
		{
			name: "every kind of flag",
			in: `--user 1000:1000 -w /src --hostname box --entrypoint /bin/sh -e A=1 --env B=2 -v /cache -p 8080:80 --expose 9000
				--tmpfs /scratch:size=64m -l team=ci --add-host db:10.0.0.1 --network-alias api --init --read-only
				--cap-drop NET_RAW -m 512m --memory-swap 1g --shm-size 64m --cpus 1.5 --cpu-shares 512 --pids-limit 100
				--health-cmd "curl -f localhost" --health-interval 2s --health-timeout 1s --health-start-period 5s --health-retries 3`,
			want: &Options{
				User: "1000:1000", Workdir: "/src", Hostname: "box", Entrypoint: "/bin/sh",
				Env: []string{"A=1", "B=2"}, Volumes: []string{"/cache"}, Publish: []string{"8080:80"}, Expose: []string{"9000"},
				Tmpfs: []string{"/scratch:size=64m"}, Labels: []string{"team=ci"}, AddHosts: []string{"db:10.0.0.1"},
				NetworkAlias: []string{"api"}, Init: true, ReadOnly: true, CapDrop: []string{"NET_RAW"},
				Memory: 512 << 20, MemorySwap: 1 << 30, ShmSize: 64 << 20, CPUs: 1.5, CPUShares: 512, PidsLimit: 100,
				Health: Health{Cmd: "curl -f localhost", Interval: 2 * time.Second, Timeout: time.Second, StartPeriod: 5 * time.Second, Retries: 3},
			},
		},
		{name: "privileged parses (the policy is applied later)", in: "--privileged --cap-add SYS_ADMIN", want: &Options{Privileged: true, CapAdd: []string{"SYS_ADMIN"}}},
		{name: "unsupported flag", in: "--network host", wantErr: "unknown flag: --network"},
		{name: "pid namespace", in: "--pid=host", wantErr: "unknown flag: --pid"},
		{name: "positional argument", in: "--init ubuntu", wantErr: `unexpected argument "ubuntu"`},
		{name: "bad size", in: "--memory lots", wantErr: `size "lots"`},
		{name: "bad quoting", in: `--health-cmd "x`, wantErr: "unterminated double quote"},
		{name: "negative retries", in: "--health-retries -1", wantErr: "must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse("container", "", tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrBadOptions) {
					t.Fatalf("Parse(%q) error = %v, want ErrBadOptions with %q", tt.in, err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), "container.options") {
					t.Errorf("Parse error %q does not name container.options", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q) error = %v", tt.in, err)
			}
			if diff := cmp.Diff(got, tt.want, cmp.AllowUnexported(Options{})); diff != "" {
				t.Errorf("Parse(%q) (-got +want):\n%s", tt.in, diff)
			}
		})
	}
}

func TestSupportedOptionsListed(t *testing.T) {
	t.Parallel()
	_, err := Parse("services.db", "", "--device /dev/kvm")
	for _, want := range []string{"--health-cmd", "--user", "--volume", "services.db.options"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error for an unsupported flag = %v, want it to mention %s", err, want)
		}
	}
}

func TestParseOptionsAfterRunner(t *testing.T) {
	t.Parallel()
	o, err := Parse("container", "--cpus 1 -e A=1 --hostname runner", "--cpus 2 -e B=2")
	if err != nil {
		t.Fatal(err)
	}
	want := &Options{CPUs: 2, Env: []string{"A=1", "B=2"}, Hostname: "runner"}
	if diff := cmp.Diff(o, want, cmp.AllowUnexported(Options{})); diff != "" {
		t.Errorf("ParseAfter (-got +want):\n%s", diff)
	}
	for _, bad := range []string{"--network host", `"open`, "--init extra"} {
		if _, err := Parse("container", bad, ""); err == nil || !strings.Contains(err.Error(), "the runner's container.options") {
			t.Errorf("runner options %q: error = %v, want one naming the runner's container.options", bad, err)
		}
	}
}

func TestAllowed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		patterns []string
		s        string
		want     bool
	}{
		{[]string{"**"}, "/anything/at/all", true},
		{[]string{"/data/*"}, "/data/x", true},
		{[]string{"/data/*"}, "/data/x/y", false},
		{[]string{"/data/**"}, "/data/x/y", true},
		{[]string{"cache-?"}, "cache-1", true},
		{[]string{"cache-?"}, "cache-12", false},
		{[]string{"/a.b"}, "/axb", false},
		{nil, "/x", false},
	}
	for _, tt := range tests {
		if got := Allowed(tt.patterns, tt.s); got != tt.want {
			t.Errorf("Allowed(%q, %q) = %v, want %v", tt.patterns, tt.s, got, tt.want)
		}
	}
}
