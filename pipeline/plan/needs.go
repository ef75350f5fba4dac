package plan

import (
	"container/heap"
	"slices"
)

// NeedsIndexes returns, for each job, the indexes of the jobs it needs,
// without repeats. missing is called with the job and need index of each
// need that names no job.
func NeedsIndexes(jobs []*Job, missing func(i, k int)) [][]int {
	index := make(map[string]int, len(jobs))
	for i, j := range jobs {
		if _, dup := index[j.ID]; !dup {
			index[j.ID] = i
		}
	}
	deps := make([][]int, len(jobs))
	for i, j := range jobs {
		for k, id := range j.Needs {
			d, ok := index[id]
			switch {
			case !ok:
				missing(i, k)
			case !slices.Contains(deps[i], d):
				deps[i] = append(deps[i], d)
			}
		}
	}
	return deps
}

// NeedsOrder sorts jobs topologically: at each step it takes the first
// job, in the original order, whose needs are all taken. Jobs in or after
// a cycle are left out of order and not marked in placed.
func NeedsOrder(deps [][]int) (order []int, placed []bool) {
	users := make([][]int, len(deps))
	waiting := make([]int, len(deps))
	ready := &intHeap{}
	for i, ds := range deps {
		waiting[i] = len(ds)
		if waiting[i] == 0 {
			heap.Push(ready, i)
		}
		for _, d := range ds {
			users[d] = append(users[d], i)
		}
	}
	order = make([]int, 0, len(deps))
	placed = make([]bool, len(deps))
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int)
		placed[i] = true
		order = append(order, i)
		for _, u := range users[i] {
			if waiting[u]--; waiting[u] == 0 {
				heap.Push(ready, u)
			}
		}
	}
	return order, placed
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
