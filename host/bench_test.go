package host_test

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/internal/wstest"
)

// BenchmarkRoundTrip: one connection, one request at a time through an echo
// HandlerFunc: client write, server decode, dispatch, reply, client read.
// Allocations count both sides, as they share the process.
func BenchmarkRoundTrip(b *testing.B) {
	srv := newServer(b, echo, host.Config{})
	ws := wstest.DialRaw(b, srv.wsURL, nil)
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

// BenchmarkFanout: one room of N connections, a 1 KiB JSON push per
// iteration, timed from EmitToRoom until the last client has read it. The
// clients are real gorilla connections in the same process, each with a
// reader goroutine.
//
// It also reports B/idle-conn: the growth of HeapInuse+StackInuse after
// opening the N connections (joined, idle, readers started), divided by N.
// Server and clients share the process, so it counts both ends: the
// server's Conn, melody session, its two goroutines and gorilla buffers, and
// the client's gorilla connection and reader goroutine.
func BenchmarkFanout(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) { benchFanout(b, n) })
	}
}

func benchFanout(b *testing.B, n int) {
	srv := newServer(b, newLifecycle(), host.Config{})
	head, tail := `{"seq":1,"payload":"`, `"}`
	msg := []byte(head + strings.Repeat("x", 1024-len(head)-len(tail)) + tail)

	var readers sync.WaitGroup
	b.Cleanup(readers.Wait) // registered before the dials: runs after their closes
	before := heapAndStacks()
	conns := make([]*websocket.Conn, n)
	join := []byte(wstest.Request("1", "join", `"bench"`))
	for i := range conns {
		ws := wstest.DialRaw(b, srv.wsURL, nil)
		_ = ws.SetReadDeadline(time.Now().Add(time.Hour))
		if err := ws.WriteMessage(websocket.TextMessage, join); err != nil {
			b.Fatal(err)
		}
		if _, reply, err := ws.ReadMessage(); err != nil || string(reply) != `{"id":1,"data":null}` {
			b.Fatalf("join: %s %v", reply, err)
		}
		conns[i] = ws
	}
	var received sync.WaitGroup
	for _, ws := range conns {
		readers.Go(func() {
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
				received.Done()
			}
		})
	}
	idle := float64(heapAndStacks()-before) / float64(n)
	if got := srv.RoomSize("/", "bench"); got != n {
		b.Fatalf("RoomSize = %d, want %d", got, n)
	}

	b.ResetTimer()
	for b.Loop() {
		received.Add(n)
		if got := srv.EmitToRoom("/", "bench", "tick", host.Payload{Data: msg}); got != n {
			b.Fatalf("EmitToRoom sent to %d, want %d", got, n)
		}
		received.Wait()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/recipient")
	b.ReportMetric(idle, "B/idle-conn") // after the loop: ResetTimer drops metrics
}

// heapAndStacks returns HeapInuse+StackInuse after a collection.
func heapAndStacks() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse + m.StackInuse)
}
