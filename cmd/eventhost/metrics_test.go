package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/eventhost/eventhost/internal/natstest"
	"github.com/eventhost/eventhost/internal/sioclient"
	"github.com/eventhost/eventhost/internal/wstest"
)

// metricsScripts serve the metrics test: a quick route, one that awaits a
// timer, one that spins past the call timeout, one that throws, one with a
// code of its own, and a join.
var metricsScripts = map[string]string{
	"m.js": `
export function echo(socket, data) { return data; }
export async function wait(socket, ms) { await new Promise((r) => setTimeout(r, ms)); return ms; }
export function spin(socket) { for (;;) {} }
export function boom(socket) { throw new Error("boom"); }
export function teapot(socket) { throw Object.assign(new Error("short and stout"), { code: "teapot" }); }
export function join(socket, room) { socket.join(room); return null; }
`,
}

// metricsAddr waits for the server's log line that says where /metrics is.
func metricsAddr(t testing.TB, s *testServer) string {
	t.Helper()
	re := regexp.MustCompile(`msg="metrics listening" addr=(\S+)`)
	var addr string
	eventually(t, "the metrics listener", func() bool {
		if m := re.FindStringSubmatch(s.logs.String()); m != nil {
			addr = m[1]
		}
		return addr != ""
	})
	return addr
}

// scrape GETs /metrics and parses it with Prometheus' text parser.
func scrape(t testing.TB, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: HTTP %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return mfs
}

// value returns the value of the series of name whose labels include
// labels (name=value pairs); a histogram's sample count. A missing series
// is -1.
func value(mfs map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	mf := mfs[name]
	if mf == nil {
		return -1
	}
next:
	for _, m := range mf.GetMetric() {
		for i := 0; i < len(labels); i += 2 {
			found := false
			for _, lp := range m.GetLabel() {
				if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

// load runs conns connections, each making calls echo calls one after the
// other, and returns the first error.
func load(url string, conns, calls int) error {
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for i := range conns {
		wg.Go(func() {
			d := websocket.Dialer{HandshakeTimeout: wstest.Timeout}
			ws, _, err := d.Dial(url, nil)
			if err != nil {
				errs <- err
				return
			}
			defer ws.Close()
			_ = ws.SetReadDeadline(time.Now().Add(safety))
			for j := range calls {
				req := fmt.Sprintf(`{"event":"m.echo","id":%d,"data":%d}`, j, i)
				if err := ws.WriteMessage(websocket.TextMessage, []byte(req)); err != nil {
					errs <- err
					return
				}
				_, got, err := ws.ReadMessage()
				if err != nil {
					errs <- err
					return
				}
				if want := fmt.Sprintf(`{"id":%d,"data":%d}`, j, i); string(got) != want {
					errs <- fmt.Errorf("reply %s, want %s", got, want)
					return
				}
			}
			_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
			_, _, _ = ws.ReadMessage() // the server's close
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// TestMetrics: a real server under a short real load, with -metrics-addr;
// its /metrics, parsed by Prometheus' parser, counts every answer by event
// and code (the host's own among them), the connections, the frames, and
// the engine's figures.
func TestMetrics(t *testing.T) {
	t.Parallel()
	const conns, calls = 20, 50
	dir := writeScripts(t, metricsScripts)
	// A node of a cluster of one, so that the cluster's metrics are there.
	ns := natstest.Start(t)
	srv := startServer(t, "-scripts", dir, "-watch=false", "-pool", "2", "-timeout", "500ms",
		"-max-inflight", "4", "-metrics-addr", "127.0.0.1:0", "-log-level", "info", "-nats-url", ns.URL())
	maddr := metricsAddr(t, srv)

	before := scrape(t, maddr)
	if v := value(before, "eventhost_vm_pool_size"); v != 2 {
		t.Errorf("eventhost_vm_pool_size = %v, want 2", v)
	}
	if v := value(before, "eventhost_routes"); v != 6 {
		t.Errorf("eventhost_routes = %v, want 6", v)
	}
	if v := value(before, "eventhost_generation"); v != 1 {
		t.Errorf("eventhost_generation = %v, want 1", v)
	}

	if err := load(srv.url, conns, calls); err != nil {
		t.Fatalf("load: %v", err)
	}

	// The errors, on one connection whose frames the test counts.
	c := dial(t, srv.url)
	sent := 0
	for range 3 {
		c.fails("m.nope", "", "unknown_event")
		sent++
	}
	c.send(`{"event":`)
	wstest.WantErrorPush(t, c.Next(t), "bad_request", "")
	c.send(`{"event":"m.echo","id":[1]}`)
	wstest.WantErrorPush(t, c.Next(t), "bad_request", "") // the decoder gives up before the event
	sent += 2
	c.fails("m.spin", "", "timeout")
	c.fails("m.boom", "", "handler_error")
	c.fails("m.boom", "", "handler_error")
	c.fails("m.teapot", "", "teapot")
	sent += 4
	// Six awaiting calls at once with -max-inflight 4: two are overloaded.
	for range 6 {
		c.request("m.wait", "200")
	}
	sent += 6
	overloaded := 0
	for range 6 { // the overloaded are answered first
		if f := c.next(); f.err != nil && f.err.Code == "overloaded" {
			overloaded++
		}
	}
	if overloaded != 2 {
		t.Fatalf("%d calls overloaded, want 2", overloaded)
	}
	// Rooms: three connections join one room.
	members := []*client{c, dial(t, srv.url), dial(t, srv.url)}
	for _, m := range members {
		m.ok("m.join", `"lobby"`, "null")
	}
	sent++ // c's join
	// A refused handshake.
	if _, resp, err := dialHeader(t, srv.url, http.Header{"Origin": {"http://elsewhere.example"}}); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign origin: %v", err)
	}

	var after map[string]*dto.MetricFamily
	eventually(t, "the load's connections closed", func() bool {
		after = scrape(t, maddr)
		return value(after, "eventhost_connections_open", "protocol", "native") == 3
	})
	want := []struct {
		name   string
		labels []string
		value  float64
	}{
		{"eventhost_calls_total", []string{"event", "m.echo", "code", "ok"}, conns * calls},
		{"eventhost_call_duration_seconds", []string{"event", "m.echo"}, conns * calls},
		{"eventhost_calls_total", []string{"event", "unknown", "code", "unknown_event"}, 3},
		{"eventhost_calls_total", []string{"event", "unknown", "code", "bad_request"}, 2}, // the frames that do not decode name no event
		{"eventhost_calls_total", []string{"event", "m.spin", "code", "timeout"}, 1},
		{"eventhost_calls_total", []string{"event", "m.boom", "code", "handler_error"}, 2},
		{"eventhost_calls_total", []string{"event", "m.teapot", "code", "other"}, 1},
		{"eventhost_calls_total", []string{"event", "m.wait", "code", "ok"}, 4},
		{"eventhost_calls_total", []string{"event", "m.wait", "code", "overloaded"}, 2},
		{"eventhost_calls_total", []string{"event", "m.join", "code", "ok"}, 3},
		{"eventhost_call_duration_seconds", []string{"event", "m.wait"}, 4}, // the overloaded were never queued
		{"eventhost_connections_accepted_total", []string{"protocol", "native"}, conns + 3},
		{"eventhost_connections_refused_total", []string{"protocol", "native", "reason", "origin"}, 1},
		{"eventhost_disconnects_total", []string{"protocol", "native", "reason", "client closed"}, conns},
		{"eventhost_frames_total", []string{"protocol", "native", "direction", "in"}, conns*calls + float64(sent) + 2},
		{"eventhost_frames_total", []string{"protocol", "native", "direction", "out"}, conns*calls + float64(sent) + 2},
		{"eventhost_rooms", nil, 1},
		{"eventhost_room_memberships", nil, 3},
		{"eventhost_vm_busy", nil, 0},
		{"eventhost_engine_queue_depth", nil, 0},
		{"eventhost_reloads_total", []string{"result", "ok"}, 0},
		{"eventhost_socketio_sessions", []string{"transport", "polling"}, 0},
		{"eventhost_slow_consumer_disconnects_total", []string{"protocol", "native"}, 0},
		{"eventhost_cluster_connected", nil, 1},
		{"eventhost_cluster_nodes", nil, 1},
		{"eventhost_cluster_subscriptions", nil, 1}, // the room the test joined
		{"eventhost_cluster_publish_errors_total", nil, 0},
		{"eventhost_cluster_counts_total", []string{"result", "partial"}, 0},
	}
	for _, w := range want {
		if got := value(after, w.name, w.labels...); got != w.value {
			t.Errorf("%s%v = %v, want %v", w.name, w.labels, got, w.value)
		}
	}
	// A busy loop past the timeout is interrupted and its VM replaced.
	if v := value(after, "eventhost_vm_resets_total"); v != 1 {
		t.Errorf("eventhost_vm_resets_total = %v, want 1", v)
	}
	if v := value(after, "eventhost_vm_wait_seconds"); v < conns*calls {
		t.Errorf("eventhost_vm_wait_seconds count = %v, want at least %d", v, conns*calls)
	}
	if v := value(after, "eventhost_frame_bytes_total", "protocol", "native", "direction", "in"); v <= 0 {
		t.Errorf("bytes in = %v", v)
	}
	for name := range after {
		if !strings.HasPrefix(name, "eventhost_") && !strings.HasPrefix(name, "go_") && !strings.HasPrefix(name, "process_") {
			t.Errorf("metric %s outside eventhost_, go_ and process_", name)
		}
	}
	checkMetricDocs(t, after)
}

// checkMetricDocs: docs/operations.md lists every eventhost_ metric the
// server exports, and it and the Grafana dashboard name no other.
func checkMetricDocs(t *testing.T, exported map[string]*dto.MetricFamily) {
	t.Helper()
	names := regexp.MustCompile(`eventhost_[a-z_]+`)
	for _, doc := range []string{"../../docs/operations.md", "../../docs/grafana-dashboard.json"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		mentioned := map[string]bool{}
		for _, n := range names.FindAllString(string(b), -1) {
			base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n, "_bucket"), "_sum"), "_count")
			if exported[base] == nil && exported[n] == nil {
				t.Errorf("%s names %s, which the server does not export", doc, n)
			}
			mentioned[base] = true
		}
		if strings.HasSuffix(doc, ".md") {
			for n := range exported {
				if strings.HasPrefix(n, "eventhost_") && !mentioned[n] {
					t.Errorf("%s does not list %s", doc, n)
				}
			}
		}
	}
}

// TestMetricsOff: without -metrics-addr there is no metrics listener, and
// /metrics is not on the main one.
func TestMetricsOff(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "-scripts", writeScripts(t, metricsScripts), "-watch=false")
	resp, err := http.Get("http://" + srv.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics on the main listener: %d, want 404", resp.StatusCode)
	}
	if strings.Contains(srv.logs.String(), "metrics listening") {
		t.Error("a metrics listener started without -metrics-addr")
	}
}

// TestMetricsSocketIO: Socket.IO connections, calls and frames are counted
// under protocol="socketio", and its sessions by transport.
func TestMetricsSocketIO(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "-scripts", writeScripts(t, metricsScripts), "-watch=false", "-metrics-addr", "127.0.0.1:0", "-log-level", "info")
	maddr := metricsAddr(t, srv)
	c := sioclient.Start(t)
	ws := c.Connect("ws", "http://"+srv.addr, "/", sioclient.Options{"transports": []string{"websocket"}})
	poll := c.Connect("poll", "http://"+srv.addr, "/", sioclient.Options{"transports": []string{"polling"}})
	ws.WaitConnect()
	poll.WaitConnect()
	for _, s := range []*sioclient.Socket{ws, poll} {
		if got := s.EmitAck("m.echo", 7); len(got) != 1 || string(got[0]) != "7" {
			t.Fatalf("%s: echo ack %s", s.Name(), got)
		}
	}
	if got := ws.EmitAck("m.nope"); len(got) != 1 || !strings.Contains(string(got[0]), `"unknown_event"`) {
		t.Fatalf("unknown event ack: %s", got)
	}
	m := scrape(t, maddr)
	for _, w := range []struct {
		name   string
		labels []string
		value  float64
	}{
		{"eventhost_connections_open", []string{"protocol", "socketio"}, 2},
		{"eventhost_connections_accepted_total", []string{"protocol", "socketio"}, 2},
		{"eventhost_calls_total", []string{"event", "m.echo", "code", "ok"}, 2},
		{"eventhost_calls_total", []string{"event", "unknown", "code", "unknown_event"}, 1},
		{"eventhost_frames_total", []string{"protocol", "socketio", "direction", "out"}, 3},
		{"eventhost_socketio_sessions", []string{"transport", "websocket"}, 1},
		{"eventhost_socketio_sessions", []string{"transport", "polling"}, 1},
		{"eventhost_connections_open", []string{"protocol", "native"}, 0},
	} {
		if got := value(m, w.name, w.labels...); got != w.value {
			t.Errorf("%s%v = %v, want %v", w.name, w.labels, got, w.value)
		}
	}
	if v := value(m, "eventhost_frames_total", "protocol", "socketio", "direction", "in"); v < 3 {
		t.Errorf("socketio frames in = %v, want at least the 3 events", v)
	}
	ws.Disconnect()
	poll.Disconnect()
	eventually(t, "the Socket.IO disconnects counted", func() bool {
		m = scrape(t, maddr)
		return value(m, "eventhost_disconnects_total", "protocol", "socketio", "reason", "client closed") == 2 &&
			value(m, "eventhost_connections_open", "protocol", "socketio") == 0
	})
}
