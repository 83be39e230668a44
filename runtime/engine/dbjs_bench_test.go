package engine

import (
	"context"
	"testing"
)

// BenchmarkDBQuery is the cost of a one-row query on an SQLite file: from
// Go (db.DB.Query), and from JS through the engine (a call of a handler that
// awaits db.query and returns the row), beside the same call of a handler
// that awaits nothing, which is what the engine costs without the query;
// go-fresh-goroutine runs each Go query on a goroutine of its own, as host
// work does; js-16-in-flight is the js call with 16 callers at once.
func BenchmarkDBQuery(b *testing.B) {
	d := openSQLite(b)
	ctx := context.Background()
	if _, err := d.Exec(ctx, "INSERT INTO notes (id, body) VALUES (1, 'hello')"); err != nil {
		b.Fatal(err)
	}
	const query = "SELECT id, body FROM notes WHERE id = ?"
	b.Run("go", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rows, err := d.Query(ctx, query, 1)
			if err != nil || len(rows) != 1 {
				b.Fatal(rows, err)
			}
		}
	})
	// What host work pays besides the query: a fresh goroutine per query,
	// whose stack grows to sqlite's depth each time.
	b.Run("go-fresh-goroutine", func(b *testing.B) {
		b.ReportAllocs()
		done := make(chan error)
		for b.Loop() {
			go func() {
				_, err := d.Query(ctx, query, 1)
				done <- err
			}()
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		}
	})
	e := newEngine(b, map[string]string{"q.js": `
import { db } from "eventhost";
export async function one(socket, id) { return (await db.query("` + query + `", id))[0] }
export async function none(socket, id) { return { id, body: "hello" } }
`}, Config{PoolSize: 1, DB: sqlDB{d}})
	for _, c := range []struct{ name, event, want string }{
		{"js", "q.one", `{"id":1,"body":"hello"}`},
		{"js-without-query", "q.none", `{"id":1,"body":"hello"}`},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			sock := newSocket("s")
			done := make(chan string, 1)
			req := &Request{Event: c.event, Data: []byte("1"), Socket: sock,
				Done: func(r Result, err error) {
					if err != nil {
						done <- err.Error()
						return
					}
					done <- string(r.Data)
				}}
			for b.Loop() {
				e.Call(ctx, req)
				if got := <-done; got != c.want {
					b.Fatal(got)
				}
			}
		})
	}
	// 16 calls in flight on the one VM: the queries' waits overlap.
	b.Run("js-16-in-flight", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(8) // 8 × GOMAXPROCS (2) callers
		b.RunParallel(func(pb *testing.PB) {
			done := make(chan error, 1)
			req := &Request{Event: "q.one", Data: []byte("1"), Socket: newSocket("s"),
				Done: func(_ Result, err error) { done <- err }}
			for pb.Next() {
				e.Call(ctx, req)
				if err := <-done; err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
