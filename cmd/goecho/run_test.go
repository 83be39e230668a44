package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eventhost/eventhost/internal/cli"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host/protocol"
)

// safety bounds every wait of these tests. It is not a speed assertion.
const safety = 20 * time.Second

// syncBuffer is a log sink the test reads while the server writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestServeEcho starts goecho through its command line on a loopback port,
// echoes a text and a binary request, and stops it through ctx.
func TestServeEcho(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	logs := &syncBuffer{}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- runReady(ctx, []string{"-addr", "127.0.0.1:0", "-max-inflight", "8"}, io.Discard, logs, func(addr string) { ready <- addr })
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("goecho did not start: %v\nlogs:\n%s", err, logs)
	case <-time.After(safety):
		t.Fatal("goecho did not start")
	}

	dialCtx, dialCancel := context.WithTimeout(ctx, safety)
	defer dialCancel()
	ws, _, err := websocket.DefaultDialer.DialContext(dialCtx, "ws://"+addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_ = ws.SetReadDeadline(time.Now().Add(safety))

	if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"event":"api.anything","data":{"x":[1, 2]},"id":1}`)); err != nil {
		t.Fatal(err)
	}
	typ, msg, err := ws.ReadMessage()
	if err != nil || typ != websocket.TextMessage || string(msg) != `{"id":1,"data":{"x":[1, 2]}}` {
		t.Fatalf("reply %d %s (%v), want the data echoed", typ, msg, err)
	}

	payload := []byte{0, 1, 2, 0xff}
	frame := protocol.AppendBinary(nil, []byte(`{"event":"api.bytes","id":"b"}`), payload)
	if err := ws.WriteMessage(websocket.BinaryMessage, frame); err != nil {
		t.Fatal(err)
	}
	typ, msg, err = ws.ReadMessage()
	want := protocol.AppendBinary(nil, protocol.BinaryReplyEnvelope([]byte(`"b"`)), payload)
	if err != nil || typ != websocket.BinaryMessage || !bytes.Equal(msg, want) {
		t.Fatalf("binary reply %d %q (%v), want %q", typ, msg, err, want)
	}

	// Stop it: the connection is closed with 1001 (reading answers the
	// close), and run returns nil.
	cancel()
	if _, _, err := ws.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Errorf("after shutdown: %v, want close 1001", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v after ctx ended", err)
		}
	case <-time.After(safety):
		t.Fatal("goecho did not stop")
	}
	for _, want := range []string{"msg=listening", "max_inflight=8", "msg=stopped"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"help", []string{"-h"}, 0},
		{"unknown flag", []string{"-bogus"}, 2},
		{"argument", []string{"extra"}, 2},
		{"zero in flight", []string{"-max-inflight", "0"}, 2},
		{"bad size", []string{"-max-message", "1GB"}, 2},
		{"bad log format", []string{"-log-format", "xml"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := run(t.Context(), tc.args, io.Discard, io.Discard)
			code := 0
			if ee := (*cli.ExitError)(nil); errors.As(err, &ee) {
				code = ee.Code
			} else if err != nil {
				code = 1
			}
			if code != tc.code {
				t.Errorf("exit %d (%v), want %d", code, err, tc.code)
			}
		})
	}
}
