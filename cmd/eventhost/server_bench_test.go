package main

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host"
)

// BenchmarkServer is one request and its reply over a real WebSocket on
// loopback, sequentially, through the same server path (melody, frame
// decoding, per-connection sequencing, reply encoding) with the echo written
// in Go (host.HandlerFunc) and in JavaScript (api.test.board) in each mode.
// The difference is what JS costs on the per-call path.
func BenchmarkServer(b *testing.B) {
	frame := []byte(`{"event":"api.test.board","data":{"name":"Ada","tags":["a","b"],"n":1},"id":1}`)
	roundTrips := func(b *testing.B, url string) {
		conn, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		b.ReportAllocs()
		for b.Loop() {
			if err := conn.WriteMessage(websocket.TextMessage, frame); err != nil {
				b.Fatal(err)
			}
			if _, reply, err := conn.ReadMessage(); err != nil || !strings.HasPrefix(string(reply), `{"id":1,"data":`) {
				b.Fatalf("reply %s, %v", reply, err)
			}
		}
	}
	b.Run("go", func(b *testing.B) {
		echo := host.HandlerFunc(func(_ context.Context, c *host.Call) (host.Reply, error) {
			return host.Reply{Data: c.Data, Binary: c.Binary}, nil
		})
		ts := httptest.NewServer(host.New(echo, host.Config{}))
		defer ts.Close()
		roundTrips(b, "ws"+strings.TrimPrefix(ts.URL, "http")+"/ws")
	})
	for _, mode := range modes {
		b.Run(mode, func(b *testing.B) {
			srv := startServer(b, "-scripts", "../../scripts", "-mode", mode, "-watch=false")
			roundTrips(b, srv.url)
		})
	}
}
