package cache

// ranges is a set of byte ranges [start, end), kept sorted and merged:
// which parts of an upload have arrived, whatever the order of its chunks
// and however often one was sent again.
type ranges [][2]int64

// add inserts [start, end).
func (r *ranges) add(start, end int64) {
	if start >= end {
		return
	}
	out := make(ranges, 0, len(*r)+1)
	placed := false
	for _, iv := range *r {
		switch {
		case iv[1] < start:
			out = append(out, iv)
		case end < iv[0]:
			if !placed {
				out = append(out, [2]int64{start, end})
				placed = true
			}
			out = append(out, iv)
		default:
			start, end = min(start, iv[0]), max(end, iv[1])
		}
	}
	if !placed {
		out = append(out, [2]int64{start, end})
	}
	*r = out
}

// exactly reports whether the set is [0, size): every byte and no more.
func (r ranges) exactly(size int64) bool {
	if size == 0 {
		return len(r) == 0
	}
	return len(r) == 1 && r[0][0] == 0 && r[0][1] == size
}
