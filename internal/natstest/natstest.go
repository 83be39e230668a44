// Package natstest runs a real NATS server for tests: the
// github.com/nats-io/nats-server/v2 module, embedded, on a random loopback
// port. It can be stopped and started again on the same port, for tests of
// what happens while NATS is away.
package natstest

import (
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// readyWait bounds how long a start waits for the server to accept
// connections.
const readyWait = 10 * time.Second

// Server is an embedded NATS server. Its methods are safe from any
// goroutine.
type Server struct {
	port int

	mu  sync.Mutex
	srv *server.Server // nil while stopped
}

// Start runs a NATS server on a free loopback port until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("natstest: picking a port: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	s := &Server{port: port}
	if err := s.start(); err != nil {
		t.Fatalf("natstest: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

// URL is the server's client URL: nats://127.0.0.1:<port>.
func (s *Server) URL() string { return fmt.Sprintf("nats://127.0.0.1:%d", s.port) }

// Stop shuts the server down and waits until it has; its clients see their
// connections drop. Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		srv.Shutdown()
		srv.WaitForShutdown()
	}
}

// Restart starts a stopped server again on the same port.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if err := s.start(); err != nil {
		t.Fatalf("natstest: restart: %v", err)
	}
}

// Clients returns the number of client connections the server has now; 0
// while stopped.
func (s *Server) Clients() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil {
		return 0
	}
	return s.srv.NumClients()
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return fmt.Errorf("the server on port %d is already running", s.port)
	}
	opts := &server.Options{Host: "127.0.0.1", Port: s.port, NoLog: true, NoSigs: true, MaxPayload: 8 << 20}
	var srv *server.Server
	var err error
	// The port was free a moment ago; after a Stop the kernel may take a
	// moment to let it go.
	deadline := time.Now().Add(readyWait)
	for {
		if srv, err = server.NewServer(opts); err != nil {
			return fmt.Errorf("new server: %w", err)
		}
		go srv.Start()
		if srv.ReadyForConnections(readyWait) {
			break
		}
		srv.Shutdown()
		if time.Now().After(deadline) {
			return fmt.Errorf("the server on port %d did not get ready within %s", s.port, readyWait)
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.srv = srv
	return nil
}
