package forgetest

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"path"
	"slices"
	"time"

	pingv1 "code.gitea.io/actions-proto-go/ping/v1"
	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"connectrpc.com/connect"
)

// service implements the connect handlers, kept off Server's method set.
type service struct {
	s *Server
}

// rpcError is an error as forge handlers return it: a gRPC status, which
// connect answers as HTTP 500, code unknown, with this text as message.
func rpcError(code, format string, args ...any) error {
	return fmt.Errorf("rpc error: code = %s desc = %s", code, fmt.Sprintf(format, args...))
}

var errUnregistered = rpcError("Unauthenticated", "unregistered runner")

type runnerKey struct{}

// authInterceptor checks x-runner-uuid and x-runner-token on every call but
// Register and records when the runner was last seen.
func (s *Server) authInterceptor() connect.Interceptor {
	return connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			method := path.Base(req.Spec().Procedure)
			if method == MethodRegister {
				return next(ctx, req)
			}
			uuid, token := req.Header().Get("x-runner-uuid"), req.Header().Get("x-runner-token")
			s.mu.Lock()
			r, ok := s.runners[uuid]
			if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(r.Token)) != 1 {
				s.mu.Unlock()
				return nil, errUnregistered
			}
			now := time.Now()
			r.LastOnline = now
			if method == MethodUpdateTask || method == MethodUpdateLog {
				r.LastActive = now
			}
			s.mu.Unlock()
			return next(context.WithValue(ctx, runnerKey{}, uuid), req)
		}
	})
}

// runner is the calling runner; s.mu held. It is gone when it was deleted
// during the call.
func (v *service) runner(ctx context.Context) (*RunnerRecord, error) {
	uuid, _ := ctx.Value(runnerKey{}).(string)
	r, ok := v.s.runners[uuid]
	if !ok {
		return nil, errUnregistered
	}
	return r, nil
}

// Ping echoes as Gitea does.
func (v *service) Ping(_ context.Context, req *connect.Request[pingv1.PingRequest]) (*connect.Response[pingv1.PingResponse], error) {
	return connect.NewResponse(&pingv1.PingResponse{Data: "Hello, " + req.Msg.GetData() + "!"}), nil
}

// Register creates a runner for a known registration token.
func (v *service) Register(_ context.Context, req *connect.Request[runnerv1.RegisterRequest]) (*connect.Response[runnerv1.RegisterResponse], error) {
	m := req.Msg
	if m.GetToken() == "" || m.GetName() == "" {
		return nil, errors.New("missing runner token, name")
	}
	s := v.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.regTokens[m.GetToken()] {
		return nil, errors.New("runner registration token not found")
	}
	labels := m.GetLabels()
	if len(labels) == 0 {
		//lint:ignore SA1019 runners before Gitea 1.20 send only these, and Gitea still reads them
		labels = append(slices.Clone(m.GetAgentLabels()), m.GetCustomLabels()...)
	}
	r := s.newRunner(m.GetName(), labels, m.GetEphemeral())
	r.Version = m.GetVersion()
	s.notify()
	return connect.NewResponse(&runnerv1.RegisterResponse{Runner: &runnerv1.Runner{
		Id: r.ID, Uuid: r.UUID, Token: r.Token, Name: r.Name, Version: r.Version,
		Labels: slices.Clone(r.Labels), Ephemeral: r.Ephemeral,
	}}), nil
}

// Declare replaces the runner's version and labels.
func (v *service) Declare(ctx context.Context, req *connect.Request[runnerv1.DeclareRequest]) (*connect.Response[runnerv1.DeclareResponse], error) {
	s := v.s
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := v.runner(ctx)
	if err != nil {
		return nil, err
	}
	r.Labels = slices.Clone(req.Msg.GetLabels())
	r.Version = req.Msg.GetVersion()
	r.Declares++
	s.notify()
	return connect.NewResponse(&runnerv1.DeclareResponse{Runner: &runnerv1.Runner{
		Id: r.ID, Uuid: r.UUID, Name: r.Name, Version: r.Version, Labels: slices.Clone(r.Labels), Ephemeral: r.Ephemeral,
	}}), nil
}
