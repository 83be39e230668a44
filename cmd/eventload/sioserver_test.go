package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// sioAction is what the test server does with one event.
type sioAction int

const (
	sioEcho       sioAction = iota // ack with the event's data
	sioFail                        // ack with {"error":{"code":"teapot",...}}
	sioDrop                        // never ack
	sioPush                        // emit an event without an ack id, then echo
	sioBinary                      // ack with one binary attachment
	sioDisconnect                  // send DISCONNECT and end the connection
)

// sioServer is a minimal Socket.IO v5 server on Engine.IO v4, WebSocket
// transport only, for the tests of -proto socketio. It pings every
// pingInterval (none when zero) and closes a connection whose pong does
// not come within pongWait, as the reference server does.
type sioServer struct {
	pingInterval time.Duration
	refuse       bool                    // answer CONNECT with CONNECT_ERROR
	maxPayload   int                     // in the open packet; 1e6 when zero
	action       func(n int64) sioAction // for the nth event over all connections; nil: echo

	events, failed, dropped, pings, pongs, late atomic.Int64

	wg    sync.WaitGroup // connection handlers
	mu    sync.Mutex
	conns map[*websocket.Conn]struct{}
}

// pongWait is generous: it is a liveness bound for a client that never
// answers, not a speed assertion.
const pongWait = 5 * time.Second

var sioUpgrader = websocket.Upgrader{}

// startSocketIO serves s on a loopback port until the test ends and returns
// the base URL (ws://HOST, without a path).
func startSocketIO(t testing.TB, s *sioServer) string {
	t.Helper()
	s.conns = map[*websocket.Conn]struct{}{}
	ts := httptest.NewServer(s)
	t.Cleanup(func() {
		s.mu.Lock()
		for ws := range s.conns {
			_ = ws.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
		ts.Close()
	})
	return "ws" + strings.TrimPrefix(ts.URL, "http")
}

func (s *sioServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.URL.Path != "/socket.io/" || q.Get("EIO") != "4" || q.Get("transport") != "websocket" {
		http.Error(w, `{"code":0,"message":"Transport unknown"}`, http.StatusBadRequest)
		return
	}
	ws, err := sioUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.wg.Add(1)
	defer s.wg.Done()
	s.mu.Lock()
	s.conns[ws] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, ws)
		s.mu.Unlock()
		_ = ws.Close()
	}()
	s.serve(ws)
}

// serve runs one connection: open, CONNECT, then events until the client
// leaves.
func (s *sioServer) serve(ws *websocket.Conn) {
	var wmu sync.Mutex
	send := func(typ int, msg []byte) error {
		wmu.Lock()
		defer wmu.Unlock()
		return ws.WriteMessage(typ, msg)
	}
	open := `0{"sid":"e1","upgrades":[],"pingInterval":` + strconv.FormatInt(s.pingInterval.Milliseconds(), 10) +
		`,"pingTimeout":5000,"maxPayload":` + strconv.Itoa(cmp.Or(s.maxPayload, 1e6)) + `}`
	if send(websocket.TextMessage, []byte(open)) != nil {
		return
	}
	if _, msg, err := ws.ReadMessage(); err != nil || string(msg) != "40" {
		return
	}
	if s.refuse {
		_ = send(websocket.TextMessage, []byte(`44{"message":"not today","data":{"code":"unauthorized"}}`))
		return
	}
	if send(websocket.TextMessage, []byte(`40{"sid":"s1"}`)) != nil {
		return
	}

	done := make(chan struct{})
	pinged := make(chan struct{})
	pong := make(chan struct{}, 1)
	if s.pingInterval > 0 {
		go func() {
			defer close(pinged)
			s.ping(ws, send, pong, done)
		}()
	} else {
		close(pinged)
	}
	defer func() { close(done); <-pinged }()

	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return
		}
		switch {
		case string(msg) == "3":
			s.pongs.Add(1)
			select {
			case pong <- struct{}{}:
			default:
			}
		case string(msg) == "41":
			return
		case bytes.HasPrefix(msg, []byte("42")):
			if !s.event(msg[2:], send) {
				return
			}
		default:
			return // malformed: close, as the reference server does
		}
	}
}

// ping sends a ping every pingInterval and closes ws when a pong is late.
func (s *sioServer) ping(ws *websocket.Conn, send func(int, []byte) error, pong <-chan struct{}, done <-chan struct{}) {
	tick := time.NewTicker(s.pingInterval)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		if send(websocket.TextMessage, []byte("2")) != nil {
			return
		}
		s.pings.Add(1)
		wait := time.NewTimer(pongWait)
		select {
		case <-pong:
			wait.Stop()
		case <-done:
			wait.Stop()
			return
		case <-wait.C:
			s.late.Add(1)
			_ = ws.Close()
			return
		}
	}
}

// event answers the EVENT packet p (after "42"): <id>["name",data]. It
// reports whether the connection goes on.
func (s *sioServer) event(p []byte, send func(int, []byte) error) bool {
	i := 0
	for i < len(p) && p[i] >= '0' && p[i] <= '9' {
		i++
	}
	id := p[:i]
	var args []json.RawMessage
	if err := json.Unmarshal(p[i:], &args); err != nil || len(args) == 0 {
		return false
	}
	var data json.RawMessage = []byte("null")
	if len(args) > 1 {
		data = args[1]
	}
	action := sioEcho
	if s.action != nil {
		action = s.action(s.events.Add(1))
	} else {
		s.events.Add(1)
	}
	if len(id) == 0 {
		return true // no ack asked for
	}
	ack := func(arg string) bool {
		return send(websocket.TextMessage, []byte("43"+string(id)+"["+arg+"]")) == nil
	}
	switch action {
	case sioFail:
		s.failed.Add(1)
		return ack(`{"error":{"code":"teapot","message":"failed on purpose"}}`)
	case sioDrop:
		s.dropped.Add(1)
		return true
	case sioPush:
		if send(websocket.TextMessage, []byte(`42["tick",{"n":1}]`)) != nil {
			return false
		}
	case sioBinary:
		return send(websocket.TextMessage, []byte("461-"+string(id)+`[{"_placeholder":true,"num":0}]`)) == nil &&
			send(websocket.BinaryMessage, []byte{1, 2, 3}) == nil
	case sioDisconnect:
		_ = send(websocket.TextMessage, []byte("41"))
		return false
	}
	return ack(string(data))
}
