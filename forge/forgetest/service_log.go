package forgetest

import (
	"context"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"connectrpc.com/connect"
)

// UpdateLog stores rows as Gitea does: ack is the stored length; a request
// with no rows, one starting past ack, or one holding only stored rows
// changes nothing and gets ack back; otherwise the part from ack on is
// appended, and no_more closes the log. New rows after that are an error.
func (v *service) UpdateLog(ctx context.Context, req *connect.Request[runnerv1.UpdateLogRequest]) (*connect.Response[runnerv1.UpdateLogResponse], error) {
	s := v.s
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := v.runner(ctx)
	if err != nil {
		return nil, err
	}
	m := req.Msg
	t, ok := s.tasks[m.GetTaskId()]
	switch {
	case !ok || t.runner == "":
		return nil, rpcError("Internal", "get task: task with id %d: resource does not exist", m.GetTaskId())
	case t.runner != r.UUID:
		return nil, rpcError("Internal", "invalid runner for task")
	}
	t.logUpdates++
	defer s.notify()
	ack, index, rows := t.logLength, m.GetIndex(), m.GetRows()
	n := int64(len(rows))
	switch {
	case n == 0:
		if m.GetNoMore() && !t.logClosed {
			t.notef("UpdateLog: a request with no rows and no_more was ignored; the log stays open (the closing request must carry a row)")
		}
		return ackReply(ack), nil
	case index < 0:
		t.notef("UpdateLog: negative index %d ignored", index)
		return ackReply(ack), nil
	case index > ack:
		t.notef("UpdateLog: rows from %d ignored: only %d stored (resend from the ack index)", index, ack)
		return ackReply(ack), nil
	}
	t.rowsSent += n
	if !s.opts.noLogContent {
		for i := index; i < min(ack, index+n); i++ {
			t.rows[i].Sent++
		}
	}
	if index+n <= ack {
		return ackReply(ack), nil
	}
	if t.logClosed {
		t.notef("UpdateLog: new rows after no_more rejected")
		return nil, rpcError("AlreadyExists", "log file has been archived")
	}
	for _, row := range rows[ack-index:] {
		_, _ = t.digest.Write([]byte(row.GetContent() + "\n"))
		if !s.opts.noLogContent {
			t.rows = append(t.rows, Row{Time: timeOf(row.GetTime()), Content: row.GetContent(), Sent: 1})
		}
	}
	t.logLength = index + n
	if m.GetNoMore() {
		t.logClosed = true
	}
	return ackReply(t.logLength), nil
}

func ackReply(ack int64) *connect.Response[runnerv1.UpdateLogResponse] {
	return connect.NewResponse(&runnerv1.UpdateLogResponse{AckIndex: ack})
}
