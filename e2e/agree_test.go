package e2e

import (
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// observed is what a forge showed of a scenario's run, with what
// legitimately differs between two forges normalised away (normaliser),
// so that two forges' observations can be compared as they are.
type observed struct {
	Run  string    // the run's conclusion
	Jobs []jobSeen // in the forge's order
}

// jobSeen is a job of an observed run.
type jobSeen struct {
	Name, Conclusion string
	Log              []string // its lines; nil when the forge has no log
}

// The parts of a log that differ from forge to forge for the same run.
var (
	// A job's work directory is <the runner's directory>/work/<task id>/...
	taskDir = regexp.MustCompile(`(/[^\s/]+)+/work/[0-9]+/`)
	// Commit ids other than main's (a pull request's head, say).
	commitID = regexp.MustCompile(`\b[0-9a-f]{40}\b`)
)

// normaliser rewrites a forge's logs for comparison with another's: its
// URL, the runner's directory and task ids in work directories, and commit
// ids become placeholders.
type normaliser struct {
	r *strings.Replacer
}

func newNormaliser(forgeURL, mainSHA string) *normaliser {
	return &normaliser{r: strings.NewReplacer(strings.TrimSuffix(forgeURL, "/"), "<forge>", mainSHA, "<main>")}
}

// observed is o with every job's log normalised.
func (n *normaliser) observed(o observed) observed {
	jobs := make([]jobSeen, len(o.Jobs))
	for i, j := range o.Jobs {
		if j.Log != nil {
			log := make([]string, len(j.Log))
			for k, l := range j.Log {
				log[k] = n.line(l)
			}
			j.Log = log
		}
		jobs[i] = j
	}
	o.Jobs = jobs
	return o
}

func (n *normaliser) line(l string) string {
	l = n.r.Replace(l)
	l = taskDir.ReplaceAllString(l, "<runner>/work/<task>/")
	return commitID.ReplaceAllString(l, "<sha>")
}

// logLines is a job's log line by line: nil when the forge has none
// (err), empty when it is empty.
func logLines(log string, err error) []string {
	if err != nil {
		return nil
	}
	if log = strings.TrimSuffix(log, "\n"); log == "" {
		return []string{}
	}
	return strings.Split(log, "\n")
}

// forges are the forges the scenarios run against: the test forge always,
// a real Gitea 1.25.4 when it is built (forge/giteatest skips otherwise,
// or fails with ANVIL_REQUIRE_GITEA=1, ANVIL_REQUIRE_DOCKER=1 or CI=true).
var forges = []struct {
	name  string
	start func(*testing.T) Forge
}{
	{"forgetest", func(t *testing.T) Forge { return newTestForge(t) }},
	{"gitea", func(t *testing.T) Forge { return newGitea(t) }},
}

// TestForges runs the scenarios against every forge at once
// (TestForges/on/<forge>/<scenario>), then checks that forgetest and
// Gitea agree (TestForges/agree/<scenario>): the same run conclusion, the
// same jobs in the same order with the same conclusions, and the same job
// logs, line by line, but for forge URLs, directories and ids. (Gitea's
// REST API shows no steps of a job, so they are not compared.) Gitea is the authority: where they differ,
// forgetest is wrong.
func TestForges(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]map[string]observed{}
	skipped := map[string]bool{}
	t.Run("on", func(t *testing.T) {
		for _, f := range forges {
			t.Run(f.name, func(t *testing.T) {
				t.Parallel()
				defer func() {
					mu.Lock()
					defer mu.Unlock()
					skipped[f.name] = t.Skipped()
				}()
				res := runSuite(t, f.start(t), scenarios)
				mu.Lock()
				defer mu.Unlock()
				seen[f.name] = res
			})
		}
	})
	t.Run("agree", func(t *testing.T) {
		for _, f := range forges {
			switch {
			case skipped[f.name]:
				t.Skipf("the scenarios did not run on %s (TestForges/on/%s was skipped, and says why): there is nothing to compare", f.name, f.name)
			case seen[f.name] == nil:
				t.Fatalf("the scenarios did not run to their end on %s: TestForges/on/%s says why", f.name, f.name)
			}
		}
		want, got := seen["gitea"], seen["forgetest"]
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				if diff := cmp.Diff(got[sc.name], want[sc.name]); diff != "" {
					t.Errorf("%s (%s): forgetest and Gitea disagree (-forgetest +gitea):\n%s", sc.workflow, sc.event, diff)
				}
			})
		}
	})
}

// TestNormaliser: what differs between forges for the same run becomes a
// placeholder, and nothing else changes.
func TestNormaliser(t *testing.T) {
	t.Parallel()
	mainSHA := strings.Repeat("a1", 20)
	other := strings.Repeat("b2", 20)
	n := newNormaliser("http://127.0.0.1:3000/", mainSHA)
	for _, tc := range []struct {
		name string
		log  string
		err  error
		want []string
	}{
		{"no log", "", errors.New("404"), nil},
		{"an empty log", "", nil, []string{}},
		{"the workspace", "Runner: r (Linux X64), workspace /tmp/TestX/002/work/17/job-1/work/anvil/e2e\n",
			nil, []string{"Runner: r (Linux X64), workspace <runner>/work/<task>/job-1/work/anvil/e2e"}},
		{"commits and the forge's URL", "at " + mainSHA + " and " + other + "\nfrom http://127.0.0.1:3000/anvil/e2e\n",
			nil, []string{"at <main> and <sha>", "from <forge>/anvil/e2e"}},
		{"step output stays", "hello-42 at 7 on refs/heads/main\nwork/17 is not a task directory\n",
			nil, []string{"hello-42 at 7 on refs/heads/main", "work/17 is not a task directory"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := n.observed(observed{Run: "success", Jobs: []jobSeen{{Name: "j", Log: logLines(tc.log, tc.err)}}})
			want := observed{Run: "success", Jobs: []jobSeen{{Name: "j", Log: tc.want}}}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("a job's log %q, normalised (-got +want):\n%s", tc.log, diff)
			}
		})
	}
}
