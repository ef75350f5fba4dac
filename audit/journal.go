package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/pipeline/policy"
)

// Journal writes the records of one run: it is the run's policy.Gate
// Record hook and an executor.Sink, and writes a job's record when the
// job ends. Base holds the run's fields (source, task, repository, ...).
// Every string of a record, keys included, goes through Mask first.
type Journal struct {
	log     *Log
	base    Record
	mask    func(string) string
	onError func(error)
	now     func() time.Time

	mu       sync.Mutex
	starts   map[string]time.Time
	admitted map[string]*policy.Input
	verdicts map[string][]policy.Decision
}

// JournalConfig is what a Journal needs beside its Log.
type JournalConfig struct {
	// Base is copied into every record (Source, Runner, TaskID, RunID,
	// Repository, SHA, Ref, Event, Actor, Workflow).
	Base Record
	// Mask hides secrets (the engine's masker); nil masks nothing.
	Mask func(string) string
	// OnError receives write failures; the run goes on.
	OnError func(error)
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// NewJournal returns a Journal writing to l.
func NewJournal(l *Log, cfg JournalConfig) *Journal {
	if cfg.Mask == nil {
		cfg.Mask = func(s string) string { return s }
	}
	if cfg.OnError == nil {
		cfg.OnError = func(error) {}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Journal{log: l, base: cfg.Base, mask: cfg.Mask, onError: cfg.OnError, now: cfg.Now,
		starts: map[string]time.Time{}, admitted: map[string]*policy.Input{}, verdicts: map[string][]policy.Decision{}}
}

// Record keeps a job's Input and decisions for its record (policy.Gate's
// Record hook).
func (j *Journal) Record(workflow, key string, in *policy.Input, ds []policy.Decision) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.admitted[workflow+"\x00"+key] = in
	j.verdicts[workflow+"\x00"+key] = ds
}

// Emit notes job starts and writes a record at each job's end.
func (j *Journal) Emit(ev executor.Event) {
	id := ev.Workflow + "\x00" + ev.Job
	switch ev.Kind {
	case executor.EventJobStart:
		j.mu.Lock()
		j.starts[id] = ev.Time
		j.mu.Unlock()
	case executor.EventJobEnd:
		j.mu.Lock()
		start, in, ds := j.starts[id], j.admitted[id], j.verdicts[id]
		delete(j.starts, id)
		delete(j.admitted, id)
		delete(j.verdicts, id)
		j.mu.Unlock()
		rec, err := j.record(ev, start, in, ds)
		if err == nil {
			err = j.log.Write(rec)
		}
		if err != nil {
			j.onError(err)
		}
	}
}

// record builds and masks the record of the job ev ends.
func (j *Journal) record(ev executor.Event, start time.Time, in *policy.Input, ds []policy.Decision) (*Record, error) {
	rec := j.base
	rec.Time = j.now()
	if rec.Workflow == "" {
		rec.Workflow = ev.Workflow
	}
	rec.Job, rec.JobName = ev.Job, ev.JobName
	rec.Result, rec.Error = string(ev.Result), ev.Error
	rec.End = ev.Time
	rec.Start = start
	if start.IsZero() {
		rec.Start = ev.Time.Add(-ev.Duration)
	}
	rec.DurationMS = ev.Duration.Milliseconds()
	rec.Labels, rec.Images, rec.Actions, rec.Decisions = []string{}, []string{}, []Action{}, []policy.Decision{}
	if in != nil {
		rec.Labels = append(rec.Labels, in.Job.RunsOn...)
		rec.Images = append(rec.Images, in.Job.Images...)
		for _, u := range in.Job.Uses {
			rec.Actions = append(rec.Actions, Action{Uses: u.Uses, Kind: u.Kind, SHA: u.SHA})
		}
	}
	rec.Decisions = append(rec.Decisions, ds...)
	return j.masked(rec)
}

// masked returns rec with Mask applied to every string in it, map keys
// included, by way of its JSON form. Nothing unmasked is ever returned.
func (j *Journal) masked(rec Record) (*Record, error) {
	data, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("%w: encoding the record: %v", ErrNotWritten, err)
	}
	var tree any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&tree); err != nil {
		return nil, fmt.Errorf("%w: masking the record: %v", ErrNotWritten, err)
	}
	// The times come from the clock; masking them could only break them.
	if top, ok := tree.(map[string]any); ok {
		times := map[string]any{"time": top["time"], "start": top["start"], "end": top["end"]}
		tree = maskTree(tree, j.mask)
		for k, v := range times {
			tree.(map[string]any)[k] = v
		}
	}
	if data, err = json.Marshal(tree); err != nil {
		return nil, fmt.Errorf("%w: masking the record: %v", ErrNotWritten, err)
	}
	var out Record
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("%w: masking the record: %v", ErrNotWritten, err)
	}
	return &out, nil
}

// maskTree applies mask to every string and key of a decoded JSON value.
func maskTree(v any, mask func(string) string) any {
	switch x := v.(type) {
	case string:
		return mask(x)
	case []any:
		for i := range x {
			x[i] = maskTree(x[i], mask)
		}
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[mask(k)] = maskTree(val, mask)
		}
		return out
	}
	return v
}
