package host_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host"
)

// BenchmarkRoundTrip: one connection, one request at a time through an echo
// HandlerFunc: client write, server decode, dispatch, reply, client read.
// Allocations count both sides, as they share the process.
func BenchmarkRoundTrip(b *testing.B) {
	srv := newServer(b, echo, host.Config{})
	ws := dialRaw(b, srv.wsURL, nil)
	req := []byte(`{"event":"echo","id":1,"data":{"name":"Ada"}}`)
	want := []byte(`{"id":1,"data":{"name":"Ada"}}`)
	_ = ws.SetReadDeadline(time.Now().Add(time.Hour))
	b.ReportAllocs()
	for b.Loop() {
		if err := ws.WriteMessage(websocket.TextMessage, req); err != nil {
			b.Fatal(err)
		}
		_, got, err := ws.ReadMessage()
		if err != nil {
			b.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			b.Fatalf("reply %s", got)
		}
	}
}
