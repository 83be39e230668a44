package engine

import (
	"context"
	"testing"
)

// countingHub is a Hub that only counts, for benchmarks.
type countingHub struct{}

func (countingHub) EmitTarget(t Target, _ string, _ Payload) int { return len(t.Rooms) + 1 }
func (countingHub) Count(context.Context, Target) (RoomCount, error) {
	return RoomCount{Nodes: 1}, nil
}

// BenchmarkEmits is one call per emit kind: io.emit, io.to(room).emit,
// socket.to(room).emit, socket.broadcast.emit and a two-room chain.
func BenchmarkEmits(b *testing.B) {
	src := `import { io } from "eventhost";
export function io_emit(socket) { return io.emit("e", 1) }
export function io_to(socket) { return io.to("r").emit("e", 1) }
export function socket_to(socket) { return socket.to("r").emit("e", 1) }
export function broadcast(socket) { return socket.broadcast.emit("e", 1) }
export function chain(socket) { return io.to("r").to("s").emit("e", 1) }
`
	e := newEngine(b, map[string]string{"b.js": src}, Config{PoolSize: 1, Hub: countingHub{}})
	for _, name := range []string{"io_emit", "io_to", "socket_to", "broadcast", "chain"} {
		b.Run(name, func(b *testing.B) {
			done := make(chan error, 1)
			req := &Request{Event: "b." + name, Socket: newSocket("s"), Done: func(_ Result, err error) { done <- err }}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				e.Call(ctx, req)
				if err := <-done; err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
