package lint

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/pipeline"
)

// hostileEnv names the input a child test process reads (see
// TestMain and TestHostileInputs).
const hostileEnv = "ANVIL_TEST_HOSTILE_INPUT"

// maxHostileRSS is the most memory (peak resident set, VmHWM, the test
// binary included) reading any one input may take.
const maxHostileRSS = 100 << 20

// hostileSteps is a workflow of one job with the steps given.
func hostileSteps(steps ...string) string {
	return "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n" + strings.Join(steps, "")
}

// hostileInputs are the probes of issue 11 and their relatives, each the
// largest of its kind: it is made in the child, so that the parent's
// memory does not count.
var hostileInputs = map[string]struct {
	make func() string
	// want is a part of the error reported, or "" for inputs within
	// the limits, which must be read within bounded memory all the same.
	want string
}{
	"parentheses 1M deep (2 MB)": {
		make: func() string {
			return hostileSteps("      - run: echo ${{ " + strings.Repeat("(", 1e6) + "1" + strings.Repeat(")", 1e6) + " }}\n")
		},
		want: "larger than 1 MiB",
	},
	"parentheses 500k deep (1 MB)": {
		make: func() string {
			return hostileSteps("      - run: echo ${{ " + strings.Repeat("(", 5e5) + "1" + strings.Repeat(")", 5e5) + " }}\n")
		},
		want: "more than 100 deep",
	},
	"unclosed parentheses": {
		make: func() string { return hostileSteps("      - run: echo ${{ " + strings.Repeat("(", 1e6) + "\n") },
		want: "more than 100 deep",
	},
	"unclosed brackets": {
		make: func() string { return hostileSteps("      - run: echo ${{ a" + strings.Repeat("[a", 4e4) + "\n") },
		want: "more than 100 deep",
	},
	"bare if nested": {
		make: func() string {
			return hostileSteps("      - run: echo\n        if: " + "(" + strings.Repeat("!(", 3e5) + "true)" + strings.Repeat(")", 3e5) + "\n")
		},
		want: "more than 100 deep",
	},
	"deep YAML": {
		make: func() string {
			return hostileSteps("      - run: echo\n        with: " + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + "\n")
		},
		want: "nested more than 100 levels",
	},
	"deeper YAML than the decoder reads": {
		make: func() string { return "a: " + strings.Repeat("[", 2e4) + strings.Repeat("]", 2e4) },
		want: "exceeded max depth",
	},
	"items over the limit": {
		make: func() string { return "a: {" + strings.Repeat("a,", 5e5) + "}" },
		want: "YAML lines and items",
	},
	// Within the limits: the densest files and the longest expressions
	// that are read.
	"flow mapping at the item limit": {
		make: func() string {
			return hostileSteps("      - run: echo\n        with: {" + strings.Repeat("a,", pipeline.MaxYAMLItems-20) + "}\n")
		},
	},
	"steps at the item limit": {
		make: func() string { return hostileSteps(strings.Repeat("      - run: a\n", pipeline.MaxYAMLItems/3-10)) },
	},
	"jobs at the item limit": {
		make: func() string {
			var b strings.Builder
			b.WriteString("on: push\njobs:\n")
			for i := range pipeline.MaxYAMLItems / 10 {
				fmt.Fprintf(&b, "  j%d: {runs-on: x, steps: [{run: a}]}\n", i)
			}
			return b.String()
		},
	},
	"long expressions": {
		make: func() string {
			var steps []string
			for _, op := range []string{"!", ".a", "[0]", " || a"} {
				n := (pipeline.MaxExpressionLength - 20) / len(op)
				e := "github" + strings.Repeat(op, n)
				if op == "!" {
					e = strings.Repeat(op, n) + "true"
				}
				copies := 2
				if op == "[0]" {
					copies = 1 // brackets count towards MaxYAMLItems
				}
				for range copies {
					steps = append(steps, "      - run: echo ${{ "+e+" }}\n")
				}
			}
			return hostileSteps(steps...)
		},
	},
	"anchors": {
		make: func() string {
			var b strings.Builder
			b.WriteString("x0: &a0 [" + strings.Repeat("'${{ github.sha }}',", 100) + "]\n")
			for i := 1; i < 12; i++ {
				fmt.Fprintf(&b, "x%d: &a%d [%s]\n", i, i, strings.Repeat(fmt.Sprintf("*a%d,", i-1), 10))
			}
			b.WriteString(hostileSteps("      - run: echo\n        with: {x: *a11}\n"))
			return b.String()
		},
		want: "too large once YAML aliases are expanded",
	},
	"many anchors": {
		make: func() string {
			var b strings.Builder
			b.WriteString("x0: &a0 [1]\n")
			for i := 1; i < 8000; i++ {
				fmt.Fprintf(&b, "x%d: &a%d [*a%d]\n", i, i, i-1)
			}
			b.WriteString(hostileSteps("      - run: echo\n        with: {x: *a7999}\n"))
			return b.String()
		},
		want: "too large once YAML aliases are expanded",
	},
}

// readHostile is what the child does with input name: every reader of
// workflow files that anvil lint, anvil exec and the daemon use, one after
// the other, printing what they report.
func readHostile(name string) {
	in, ok := hostileInputs[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "no hostile input %q\n", name)
		os.Exit(3)
	}
	data := []byte(in.make())
	for _, task := range []bool{false, true} {
		_, findings := New(Options{Warnings: true, Task: task}).Parse("f.yml", data)
		for _, f := range findings {
			if f.IsError() {
				fmt.Printf("lint: %.300s\n", f)
			}
		}
	}
	_, err := pipeline.ParseWorkflow("f.yml", data)
	fmt.Printf("ParseWorkflow: %.300v\n", err)
	_, err = pipeline.ParseTaskWorkflow("f.yml", data)
	fmt.Printf("ParseTaskWorkflow: %.300v\n", err)
	_, err = pipeline.ParseAction("f.yml", data)
	fmt.Printf("ParseAction: %.300v\n", err)
	Outline("f.yml", data)
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	for line := range strings.Lines(string(status)) {
		if strings.HasPrefix(line, "VmHWM:") {
			fmt.Print(line)
		}
	}
}

func TestMain(m *testing.M) {
	if name := os.Getenv(hostileEnv); name != "" {
		readHostile(name)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestHostileInputs reads each hostile input in a child process, so that
// a crash (Go's stack overflow is fatal, not a panic) or a memory blow-up
// shows: before the limits, parentheses nested a million deep ended
// anvil lint, exec and the daemon with "fatal error: stack overflow",
// and 500k deep took 1 GB. Every input must now be read, reported where
// it goes over a limit, within maxHostileRSS.
func TestHostileInputs(t *testing.T) {
	t.Parallel()
	for name, in := range hostileInputs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), hostileEnv+"="+name, "GOGC=100", "GOMEMLIMIT=off")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("reading the input: %v\n%.2000s", err, out)
			}
			if in.want != "" && !strings.Contains(string(out), in.want) {
				t.Errorf("output does not report %q:\n%.2000s", in.want, out)
			}
			if in.want == "" && strings.Contains(string(out), "anvil reads") {
				t.Errorf("an input within the limits is refused:\n%.2000s", out)
			}
			// The child's own high-water mark: wait4's Maxrss would
			// include the parent's, whose memory the child shares
			// until it executes.
			_, hwm, ok := strings.Cut(string(out), "VmHWM:")
			kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(hwm), " kB"), 10, 64)
			if !ok || err != nil {
				t.Fatalf("no VmHWM in the output:\n%.2000s", out)
			}
			rss := kib << 10
			t.Logf("peak RSS %d MiB", rss>>20)
			if rss > maxHostileRSS*memoryFactor {
				t.Errorf("reading the input took %d MiB at its peak, want at most %d MiB", rss>>20, maxHostileRSS*memoryFactor>>20)
			}
		})
	}
}
