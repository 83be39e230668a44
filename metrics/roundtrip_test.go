package metrics_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/internal/wstest"
	"github.com/eventhost/eventhost/metrics"
)

// BenchmarkRoundTrip is host's BenchmarkRoundTrip with and without this
// package as the Observer: one connection, one request at a time through
// an echo handler, allocations of both sides.
func BenchmarkRoundTrip(b *testing.B) {
	echo := host.HandlerFunc(func(_ context.Context, call *host.Call) (host.Reply, error) {
		return host.Reply{Data: call.Data}, nil
	})
	for _, bc := range []struct {
		name string
		obs  host.Observer
	}{{"observer=nil", nil}, {"observer=metrics", metrics.New(metrics.Options{HasRoute: func(e string) bool { return e == "echo" }})}} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := host.Config{Logger: slog.New(slog.DiscardHandler)}
			if bc.obs != nil {
				cfg.Observer = bc.obs
			}
			ts := httptest.NewServer(host.New(echo, cfg))
			b.Cleanup(ts.Close)
			ws := wstest.DialRaw(b, "ws"+strings.TrimPrefix(ts.URL, "http")+"/ws", nil)
			req := []byte(`{"event":"echo","id":1,"data":{"name":"Ada"}}`)
			want := []byte(`{"id":1,"data":{"name":"Ada"}}`)
			_ = ws.SetReadDeadline(time.Now().Add(time.Hour))
			b.ReportAllocs()
			for b.Loop() {
				if err := ws.WriteMessage(websocket.TextMessage, req); err != nil {
					b.Fatal(err)
				}
				_, got, err := ws.ReadMessage()
				if err != nil || !bytes.Equal(got, want) {
					b.Fatalf("reply %s %v", got, err)
				}
			}
		})
	}
}
