package console

import (
	"encoding/json"
	"io"
	"sync"

	"codeberg.org/anvil-ci/anvil/executor"
)

// jsonPrinter writes each event as one line of JSON.
type jsonPrinter struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func newJSONPrinter(w io.Writer) *jsonPrinter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &jsonPrinter{enc: enc}
}

// Emit writes e as a JSON line.
func (p *jsonPrinter) Emit(e executor.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// An Event always encodes; a failing writer has nowhere to report to.
	_ = p.enc.Encode(e)
}

// Finish does nothing: the workflow_end events close the stream.
func (p *jsonPrinter) Finish() {}
