package pipeline

import (
	"container/heap"
	"slices"
	"strings"
)

// orderJobs checks every job's needs and returns the jobs so that each one
// follows the jobs it needs, otherwise keeping file order. Needs naming a
// missing job and needs cycles are recorded in p; jobs in a cycle are put
// last.
func orderJobs(p *problems, nodes []*jobNode) []*Job {
	index := make(map[string]int, len(nodes))
	for i, jn := range nodes {
		index[jn.job.ID] = i
	}
	// deps[i] are the jobs i needs, deduplicated; users[i] the jobs needing i.
	deps := make([][]int, len(nodes))
	users := make([][]int, len(nodes))
	for i, jn := range nodes {
		for k, id := range jn.job.Needs {
			d, ok := index[id]
			if !ok {
				p.add(jn.needs[k], "%s", missingNeed(jn.job.ID, id, nodes))
				continue
			}
			if slices.Contains(deps[i], d) {
				continue
			}
			deps[i] = append(deps[i], d)
			users[d] = append(users[d], i)
		}
	}
	waiting := make([]int, len(nodes))
	ready := &intHeap{}
	for i := range nodes {
		waiting[i] = len(deps[i])
		if waiting[i] == 0 {
			heap.Push(ready, i)
		}
	}
	jobs := make([]*Job, 0, len(nodes))
	placed := make([]bool, len(nodes))
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int)
		placed[i] = true
		jobs = append(jobs, nodes[i].job)
		for _, u := range users[i] {
			if waiting[u]--; waiting[u] == 0 {
				heap.Push(ready, u)
			}
		}
	}
	if len(jobs) < len(nodes) {
		reportCycles(p, nodes, deps, placed)
		for i, jn := range nodes {
			if !placed[i] {
				jobs = append(jobs, jn.job)
			}
		}
	}
	return jobs
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

// intHeap is a min-heap of job indexes, so that ready jobs are taken in
// file order.
type intHeap []int

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h intHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *intHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
