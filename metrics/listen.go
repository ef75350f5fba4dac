package metrics

import (
	"context"
	"net"

	"github.com/prometheus/client_golang/prometheus"
)

// Server is a registry of anvil's metrics and the listener it is served
// on: Listen takes the address, so that a port in use stops the process
// before it starts anything, and Start serves once the metrics are on
// Registry.
type Server struct {
	// Registry is NewRegistry's; NewRunner and NewCache join it.
	Registry *prometheus.Registry
	ln       net.Listener
}

// Listen listens on addr (port 0 picks one). The error is net.Listen's.
func Listen(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &Server{Registry: NewRegistry(), ln: ln}, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Start serves Handler(s.Registry, ready) in the background until stop
// is called, which shuts the server down and waits for it. onError (nil:
// ignored) is told why the server stopped, if not by stop.
func (s *Server) Start(ready func() error, onError func(error)) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := Serve(ctx, s.ln, Handler(s.Registry, ready)); err != nil && onError != nil {
			onError(err)
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
