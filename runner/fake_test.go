package runner

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"testing"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"google.golang.org/protobuf/proto"

	"codeberg.org/anvil-ci/anvil/forge"
)

// fakeForge is a hand-written Forge for unit tests. It stores rows and
// states like the forge does and fails the test loudly when the runner
// misuses the protocol: rows from past the stored length, rows after
// no_more, a closing request without rows, a state after the final one
// that changes the result, a step id the job does not have. Fail, when
// set, is consulted before each call to inject errors.
type fakeForge struct {
	t *testing.T

	mu       sync.Mutex
	tasks    []*runnerv1.Task
	rows     map[int64][]string
	closed   map[int64]bool
	states   map[int64][]*runnerv1.TaskState
	outputs  map[int64]map[string]string
	requests []string // "UpdateLog 0+3 no_more" etc.
	// Fail returns an error for a call ("UpdateLog", "UpdateTask", ...) or
	// nil to let it through.
	Fail func(method string) error
	// Drop, when set and true for a call, processes it and then returns
	// a retryable error, as a lost reply does.
	Drop func(method string) bool
	// Result is what UpdateTask replies carry (CANCELLED to cancel).
	Result runnerv1.Result
	// IgnoreOutputs is how many more UpdateTask calls have their outputs
	// dropped (as a forge that lost them).
	IgnoreOutputs int
}

func newFakeForge(t *testing.T) *fakeForge {
	return &fakeForge{t: t, rows: map[int64][]string{}, closed: map[int64]bool{},
		states: map[int64][]*runnerv1.TaskState{}, outputs: map[int64]map[string]string{}}
}

var _ Forge = (*fakeForge)(nil)

func (f *fakeForge) fail(method string) error {
	if f.Fail == nil {
		return nil
	}
	return f.Fail(method)
}

func (f *fakeForge) Declare(context.Context, string, []string) error { return f.fail("Declare") }

func (f *fakeForge) FetchTask(_ context.Context, v int64) (*runnerv1.Task, int64, error) {
	if err := f.fail("FetchTask"); err != nil {
		return nil, v, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.tasks) == 0 {
		return nil, 1, nil
	}
	t := f.tasks[0]
	f.tasks = f.tasks[1:]
	return t, 2, nil
}

func (f *fakeForge) UpdateLog(_ context.Context, id, index int64, rows []*runnerv1.LogRow, noMore bool) (int64, error) {
	f.mu.Lock()
	f.requests = append(f.requests, fmt.Sprintf("UpdateLog %d+%d%s", index, len(rows), map[bool]string{true: " no_more"}[noMore]))
	f.mu.Unlock()
	if err := f.fail("UpdateLog"); err != nil {
		return 0, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	stored := int64(len(f.rows[id]))
	for _, r := range rows {
		if closingRowRE.MatchString(r.GetContent()) && !noMore {
			f.t.Errorf("fakeForge: task %d: the closing row %q went without no_more: the log can never be closed", id, r.GetContent())
		}
	}
	switch {
	case len(rows) == 0 && noMore:
		f.t.Errorf("fakeForge: task %d: UpdateLog with no_more and no rows (the forge ignores it)", id)
		return stored, nil
	case index > stored:
		f.t.Errorf("fakeForge: task %d: UpdateLog from row %d, but only %d are stored", id, index, stored)
		return stored, nil
	case index+int64(len(rows)) <= stored:
		return stored, nil
	case f.closed[id]:
		f.t.Errorf("fakeForge: task %d: new rows after no_more", id)
		return stored, errors.New("rpc error: code = AlreadyExists desc = log file has been archived")
	}
	for _, r := range rows[stored-index:] {
		f.rows[id] = append(f.rows[id], r.GetContent())
	}
	if noMore {
		f.closed[id] = true
	}
	if f.Drop != nil && f.Drop("UpdateLog") {
		return 0, errRetryable
	}
	return int64(len(f.rows[id])), nil
}

func (f *fakeForge) UpdateTask(_ context.Context, state *runnerv1.TaskState, outputs map[string]string) (*runnerv1.UpdateTaskResponse, error) {
	f.mu.Lock()
	f.requests = append(f.requests, fmt.Sprintf("UpdateTask result=%d outputs=%d", state.GetResult(), len(outputs)))
	f.mu.Unlock()
	if err := f.fail("UpdateTask"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id := state.GetId()
	prev := f.states[id]
	if n := len(prev); n > 0 && prev[n-1].GetResult() != 0 && prev[n-1].GetResult() != state.GetResult() {
		f.t.Errorf("fakeForge: task %d: result changed from %s to %s after the final state", id, prev[n-1].GetResult(), state.GetResult())
	}
	f.states[id] = append(prev, proto.CloneOf(state))
	if f.outputs[id] == nil {
		f.outputs[id] = map[string]string{}
	}
	for k, v := range outputs {
		if _, ok := f.outputs[id][k]; !ok && f.IgnoreOutputs == 0 {
			f.outputs[id][k] = v
		}
	}
	if len(outputs) > 0 && f.IgnoreOutputs > 0 {
		f.IgnoreOutputs--
	}
	var sent []string
	for k := range f.outputs[id] {
		sent = append(sent, k)
	}
	slices.Sort(sent)
	result := f.Result
	if state.GetResult() != 0 {
		result = state.GetResult()
	}
	if f.Drop != nil && f.Drop("UpdateTask") {
		return nil, errRetryable
	}
	return &runnerv1.UpdateTaskResponse{State: &runnerv1.TaskState{Id: id, Result: result}, SentOutputs: sent}, nil
}

// lastState is the last state of task id, or nil.
func (f *fakeForge) lastState(id int64) *runnerv1.TaskState {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.states[id]
	if len(s) == 0 {
		return nil
	}
	return s[len(s)-1]
}

// storedRows returns the stored rows of task id and whether the log is closed.
func (f *fakeForge) storedRows(id int64) ([]string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.rows[id]), f.closed[id]
}

// log returns the requests made so far.
func (f *fakeForge) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// closingRowRE matches the row the runner ends every log with.
var closingRowRE = regexp.MustCompile(`^Job (succeeded|failed|cancelled|skipped)$`)

// errRetryable is an error the runner retries.
var errRetryable = fmt.Errorf("connection refused: %w", forge.ErrRetryable)
