package pipeline

import (
	"slices"
	"strings"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// orderJobs checks every job's needs and returns the jobs so that each one
// follows the jobs it needs, otherwise keeping file order. Needs naming a
// missing job and needs cycles are recorded in p; jobs in a cycle are put
// last.
func orderJobs(p *problems, nodes []*jobNode) []*plan.Job {
	jobs := make([]*plan.Job, len(nodes))
	for i, jn := range nodes {
		jobs[i] = jn.job
	}
	deps := plan.NeedsIndexes(jobs, func(i, k int) {
		if p.externalNeeds {
			return
		}
		p.add(nodes[i].needs[k], "%s", missingNeed(jobs[i].ID, jobs[i].Needs[k], nodes))
	})
	order, placed := plan.NeedsOrder(deps)
	out := make([]*plan.Job, 0, len(jobs))
	for _, i := range order {
		out = append(out, jobs[i])
	}
	if len(order) < len(jobs) {
		reportCycles(p, nodes, deps, placed)
		for i, j := range jobs {
			if !placed[i] {
				out = append(out, j)
			}
		}
	}
	return out
}

// missingNeed explains that job needs a job that does not exist.
func missingNeed(job, need string, nodes []*jobNode) string {
	ids := make([]string, len(nodes))
	for i, jn := range nodes {
		ids[i] = jn.job.ID
	}
	msg := "job " + quote(job) + " needs " + quote(need) + ", which is not a job in this workflow"
	if s := closest(need, ids); s != "" {
		return msg + "; did you mean " + quote(s) + "?"
	}
	slices.Sort(ids)
	return msg + "; jobs: " + strings.Join(ids, ", ")
}

// reportCycles records each needs cycle among the jobs not placed. Every
// unplaced job needs at least one unplaced job, so following those needs
// always comes back to a job already on the path.
func reportCycles(p *problems, nodes []*jobNode, deps [][]int, placed []bool) {
	seen := make([]bool, len(nodes))
	for start := range nodes {
		if placed[start] || seen[start] {
			continue
		}
		at := map[int]int{} // job to its place in path
		var path []int
		cur := start
		for cur >= 0 && !seen[cur] {
			if i, ok := at[cur]; ok {
				reportCycle(p, nodes, path[i:])
				break
			}
			at[cur] = len(path)
			path = append(path, cur)
			cur = firstUnplaced(deps[cur], placed)
		}
		for _, i := range path {
			seen[i] = true
		}
	}
}

// firstUnplaced returns the first job of deps not yet placed, or -1.
func firstUnplaced(deps []int, placed []bool) int {
	for _, d := range deps {
		if !placed[d] {
			return d
		}
	}
	return -1
}

// reportCycle records one needs cycle at the job of the cycle that comes
// first in the file.
func reportCycle(p *problems, nodes []*jobNode, cycle []int) {
	first := slices.Min(cycle)
	if len(cycle) == 1 {
		p.add(nodes[first].key, "job %q needs itself; remove it from its needs", nodes[first].job.ID)
		return
	}
	at := slices.Index(cycle, first)
	names := make([]string, 0, len(cycle)+1)
	for k := range cycle {
		names = append(names, nodes[cycle[(at+k)%len(cycle)]].job.ID)
	}
	names = append(names, nodes[first].job.ID)
	p.add(nodes[first].key, "jobs form a needs cycle: %s; remove one of these needs", strings.Join(names, " -> "))
}
