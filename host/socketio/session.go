package socketio

import (
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/olahol/melody"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/socketio/wire"
)

// sessionState is where a session is in its life.
type sessionState int

const (
	stateOpen    sessionState = iota
	stateClosing              // the server is closing it after what is queued
	stateClosed               // finished: nothing more is sent or served
)

// upgradePause is how long a GET sent during an upgrade waits for it before
// it is answered with a noop (the reference server sends one every 100 ms).
const upgradePause = 100 * time.Millisecond

// closeWait bounds how long a polling session being closed by the server
// waits for its client to fetch what is queued.
const closeWait = 2 * time.Second

// session is one Engine.IO connection: a client's transport, heartbeat and
// namespaces.
type session struct {
	srv     *Server
	sid     string
	req     *http.Request // the handshake, for host.Admission
	wsFirst bool          // opened on a WebSocket: no upgrade

	mu        sync.Mutex
	state     sessionState
	ws        *melody.Session     // the WebSocket transport; nil while polling
	probe     *melody.Session     // a WebSocket probing the upgrade
	queue     []wire.EnginePacket // polling: packets waiting for a GET
	queued    int                 // messages in queue (control packets aside)
	wake      chan struct{}       // closed to make a waiting GET look again
	polling   bool                // a GET is waiting
	noop      bool                // the waiting GET is to be answered with a noop
	probed    bool                // 3probe was sent: the upgrade is under way
	pongDue   bool                // a ping is out: its pong must come before the heartbeat fires
	beatGen   int                 // the heartbeat's arming; stale firings see another
	beat      *time.Timer
	connectT  *time.Timer
	sockets   map[string]*socket // by namespace
	connected bool               // a namespace has connected once
	reason    string             // why it ended; the first set wins
	lateNoop  bool               // closed by the client with no GET waiting: the GET in flight gets a noop

	wsReason atomic.Pointer[string] // why the WebSocket failed, set by its error handler
	slow     atomic.Bool            // the WebSocket's buffer filled: being cut

	inMu sync.Mutex // serializes inbound packets: POSTs may overlap
	dec  wire.Decoder
}

func (s *Server) newSession(r *http.Request) *session {
	return &session{srv: s, sid: newSID(), req: keepRequest(r), sockets: make(map[string]*socket)}
}

// keepRequest copies what a handshake's Handshake needs of r, so that the
// request itself can be let go.
func keepRequest(r *http.Request) *http.Request {
	u := *r.URL
	return &http.Request{Method: r.Method, URL: &u, Header: r.Header.Clone(), Host: r.Host, RemoteAddr: r.RemoteAddr}
}

// start arms the heartbeat and the connect timeout.
func (ss *session) start() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.armBeat(ss.srv.cfg.PingInterval)
	ss.connectT = time.AfterFunc(ss.srv.cfg.ConnectTimeout, func() {
		ss.mu.Lock()
		late := !ss.connected
		ss.mu.Unlock()
		if late {
			ss.srv.log.Debug("socket.io: no CONNECT in time", "sid", ss.sid)
			ss.finish(host.ReasonProtocolError)
		}
	})
}

// armBeat makes the heartbeat fire after d. Under mu.
func (ss *session) armBeat(d time.Duration) {
	ss.beatGen++
	gen := ss.beatGen
	if ss.beat != nil {
		ss.beat.Stop()
	}
	ss.beat = time.AfterFunc(d, func() { ss.onBeat(gen) })
}

// onBeat pings the client, or closes the session when the last ping got no
// pong in time.
func (ss *session) onBeat(gen int) {
	ss.mu.Lock()
	if gen != ss.beatGen || ss.state == stateClosed {
		ss.mu.Unlock()
		return
	}
	if ss.pongDue {
		ss.mu.Unlock()
		ss.finish(host.ReasonPingTimeout)
		return
	}
	ss.pongDue = true
	ss.control(wire.EnginePacket{Type: wire.Ping})
	ss.armBeat(ss.srv.cfg.PingTimeout)
	ss.mu.Unlock()
}

// onPong takes a client's pong.
func (ss *session) onPong() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.pongDue && ss.state != stateClosed {
		ss.pongDue = false
		ss.armBeat(ss.srv.cfg.PingInterval)
	}
}

// control sends an Engine.IO packet of the session's own. Under mu.
func (ss *session) control(p wire.EnginePacket) {
	if ss.ws != nil {
		_ = ss.write(ss.ws, outFrame{B: wire.AppendPacket(nil, p)})
		return
	}
	ss.queue = append(ss.queue, p)
	ss.wakeGET()
}

// wakeGET makes a waiting GET look again. Under mu.
func (ss *session) wakeGET() {
	if ss.wake != nil {
		close(ss.wake)
		ss.wake = nil
	}
}

// send queues a message of one of the session's namespaces.
func (ss *session) send(m host.Message) error {
	ss.mu.Lock()
	switch {
	case ss.state != stateOpen:
		ss.mu.Unlock()
		return host.ErrConnClosed
	case ss.ws != nil:
		ws := ss.ws
		err := ss.write(ws, outFrame{B: m.Frame})
		for _, a := range m.Attachments {
			if err == nil {
				err = ss.write(ws, outFrame{B: a, Binary: true})
			}
		}
		ss.mu.Unlock()
		if err != nil || ss.slow.Load() {
			return host.ErrConnClosed
		}
		return nil
	case ss.queued >= ss.srv.cfg.SendBuffer:
		ss.mu.Unlock()
		ss.srv.log.Warn("socket.io: slow consumer: send buffer full, disconnecting", "sid", ss.sid, "buffer", ss.srv.cfg.SendBuffer)
		ss.finish(host.ReasonSlowConsumer)
		return host.ErrConnClosed
	}
	// A text frame is an Engine.IO message: its type character, then data.
	ss.queue = append(ss.queue, wire.EnginePacket{Type: wire.Message, Data: m.Frame[1:]})
	for _, a := range m.Attachments {
		ss.queue = append(ss.queue, wire.EnginePacket{Type: wire.Message, Data: a, Binary: true})
	}
	ss.queued++
	ss.wakeGET()
	ss.mu.Unlock()
	return nil
}

// poll answers a polling GET with what is queued, waiting until there is
// something.
func (ss *session) poll(w http.ResponseWriter, r *http.Request) {
	ss.mu.Lock()
	if ss.state == stateClosed && ss.lateNoop {
		// The client closed with a POST that overtook its GET: the GET
		// is answered as if it had been waiting.
		ss.lateNoop = false
		ss.mu.Unlock()
		ss.srv.remove(ss)
		writePayload(w, []byte{byte(wire.Noop)})
		return
	}
	if ss.ws != nil || ss.state == stateClosed || ss.polling {
		overlap := ss.polling
		ss.mu.Unlock()
		refuse(w, http.StatusBadRequest, errBadRequest)
		if overlap {
			ss.finish(host.ReasonProtocolError) // as the reference server does
		}
		return
	}
	ss.polling = true
	for len(ss.queue) == 0 && ss.state != stateClosed && ss.ws == nil && !ss.noop {
		ch := make(chan struct{})
		ss.wake = ch
		var upgradeWait <-chan time.Time
		if ss.probed {
			// A GET during the upgrade waits a little for its outcome
			// (refused once upgraded), else gets its noop: the client
			// pauses polling before it completes the upgrade.
			upgradeWait = time.After(upgradePause)
		}
		ss.mu.Unlock()
		select {
		case <-ch:
			ss.mu.Lock()
		case <-upgradeWait:
			ss.mu.Lock()
			if ss.ws == nil {
				ss.noop = true
			}
		case <-r.Context().Done():
			ss.mu.Lock()
			ss.polling, ss.wake = false, nil
			ss.mu.Unlock()
			ss.finish(host.ReasonConnectionLost)
			return
		}
	}
	if ss.ws != nil && !ss.noop && len(ss.queue) == 0 {
		// A GET that arrived during the upgrade, which has now happened.
		ss.polling = false
		ss.mu.Unlock()
		refuse(w, http.StatusBadRequest, errBadRequest)
		return
	}
	var body []byte
	finish := false
	reason := ""
	switch {
	case len(ss.queue) > 0:
		body = wire.AppendPayload(nil, ss.queue...)
		ss.queue, ss.queued = nil, 0
		finish = ss.state == stateClosing // the close packet was last
		reason = ss.reason
	case ss.state == stateClosed && ss.reason != host.ReasonClientClosed:
		body = []byte{byte(wire.Close)}
	default:
		body = []byte{byte(wire.Noop)} // upgraded, probing, or closed by the client
	}
	ss.noop = false
	ss.polling = false
	ss.mu.Unlock()
	writePayload(w, body)
	if finish {
		ss.finish(reason)
	}
}

// push takes a polling POST: its packets, in order.
func (ss *session) push(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(r, ss.srv.cfg.MaxPayload)
	if !ok {
		refuse(w, http.StatusRequestEntityTooLarge, errBadRequest)
		ss.finish(host.ReasonFrameTooLarge)
		return
	}
	ss.mu.Lock()
	gone := ss.ws != nil || ss.state == stateClosed
	ss.mu.Unlock()
	if gone {
		refuse(w, http.StatusBadRequest, errBadRequest)
		return
	}
	packets, err := wire.SplitPayload(body)
	if err != nil {
		refuse(w, http.StatusBadRequest, errBadRequest)
		ss.finish(host.ReasonProtocolError)
		return
	}
	if o := ss.srv.host.Observer(); o != nil {
		for _, p := range packets {
			o.FrameIn(host.ProtocolSocketIO, len(p.Data)+1)
		}
	}
	ss.inMu.Lock()
	for _, p := range packets {
		ss.onPacket(p)
	}
	ss.inMu.Unlock()
	w.Header().Set("Content-Type", "text/html")
	_, _ = w.Write([]byte("ok"))
}

// onWSOpen learns of a WebSocket: the session's transport when it was
// opened on one, else a probe of the upgrade.
func (ss *session) onWSOpen(ms *melody.Session) {
	ss.mu.Lock()
	if !ss.wsFirst {
		if ss.state != stateOpen || ss.probe != nil || ss.ws != nil {
			ss.mu.Unlock()
			_ = ms.Close()
			return
		}
		ss.probe = ms
		ss.mu.Unlock()
		return
	}
	ss.ws = ms
	cfg := &ss.srv.cfg
	_ = ss.write(ms, outFrame{B: wire.OpenPacket(ss.sid, []string{}, cfg.PingInterval, cfg.PingTimeout, cfg.MaxPayload)})
	ss.mu.Unlock()
	ss.start()
}

// onFrame takes a WebSocket frame.
func (ss *session) onFrame(ms *melody.Session, msg []byte, binary bool) {
	if o := ss.srv.host.Observer(); o != nil {
		o.FrameIn(host.ProtocolSocketIO, len(msg))
	}
	p, err := wire.DecodePacket(msg, binary)
	ss.mu.Lock()
	probing := ms == ss.probe
	current := ms == ss.ws
	ss.mu.Unlock()
	switch {
	case err != nil && (probing || current):
		ss.srv.log.Debug("socket.io: bad packet", "sid", ss.sid, "error", err)
		ss.finish(host.ReasonProtocolError)
	case probing:
		ss.onProbe(ms, p)
	case current:
		ss.inMu.Lock()
		ss.onPacket(p)
		ss.inMu.Unlock()
	}
}

// onProbe takes a packet of a WebSocket probing the upgrade: 2probe is
// answered with 3probe (and the waiting GET with a noop, so that the client
// stops polling); 5 completes the upgrade.
func (ss *session) onProbe(ms *melody.Session, p wire.EnginePacket) {
	switch {
	case p.Type == wire.Ping && string(p.Data) == "probe":
		ss.mu.Lock()
		_ = ss.write(ms, outFrame{B: []byte("3probe")})
		ss.noop = ss.polling // the GET waiting now is released at once
		ss.probed = true
		ss.wakeGET()
		ss.mu.Unlock()
	case p.Type == wire.Upgrade:
		ss.mu.Lock()
		if ss.state != stateOpen || ss.probe != ms {
			ss.mu.Unlock()
			return
		}
		ss.ws, ss.probe, ss.probed = ms, nil, false
		for _, q := range ss.queue {
			if q.Binary {
				_ = ss.write(ms, outFrame{B: q.Data, Binary: true})
			} else {
				_ = ss.write(ms, outFrame{B: wire.AppendPacket(nil, q)})
			}
		}
		ss.queue, ss.queued = nil, 0
		ss.wakeGET() // a GET sent after the probe is refused: the session has moved
		ss.mu.Unlock()
	}
}

// onWSError records why a WebSocket failed; a full buffer cuts it.
func (ss *session) onWSError(ms *melody.Session, err error) {
	reason := host.ReasonConnectionLost
	var ce *websocket.CloseError
	switch {
	case errors.Is(err, melody.ErrMessageBufferFull):
		// Not from write, which leaves room in melody's channel: from
		// melody's own close when its hub shuts down.
		ss.slowConsumer(ms)
		return
	case errors.Is(err, websocket.ErrReadLimit):
		reason = host.ReasonFrameTooLarge
	case errors.As(err, &ce) && ce.Code != websocket.CloseAbnormalClosure:
		reason = host.ReasonClientClosed
	case errors.Is(err, melody.ErrWriteClosed), errors.Is(err, melody.ErrSessionClosed):
		return
	}
	ss.wsReason.CompareAndSwap(nil, &reason)
}

// onWSClosed ends the session when its WebSocket closed; a failed probe
// leaves it polling.
func (ss *session) onWSClosed(ms *melody.Session) {
	ss.mu.Lock()
	if ms == ss.probe {
		ss.probe, ss.probed = nil, false
		ss.mu.Unlock()
		return
	}
	current := ms == ss.ws
	ss.mu.Unlock()
	if !current {
		return
	}
	reason := host.ReasonConnectionLost
	if r := ss.wsReason.Load(); r != nil {
		reason = *r
	}
	ss.finish(reason)
}

// onPacket takes an Engine.IO packet of the session's transport. Under inMu.
func (ss *session) onPacket(p wire.EnginePacket) {
	switch p.Type {
	case wire.Close:
		ss.finish(host.ReasonClientClosed)
	case wire.Ping:
		ss.mu.Lock()
		ss.control(wire.EnginePacket{Type: wire.Pong, Data: p.Data})
		ss.mu.Unlock()
	case wire.Pong:
		ss.onPong()
	case wire.Message:
		ss.onMessage(p.Data, p.Binary)
	case wire.Noop, wire.Upgrade:
	default:
		ss.finish(host.ReasonProtocolError)
	}
}

// closeGracefully closes the session after what is queued: a WebSocket
// with 1001, a polling client with a close packet its next GET fetches.
// It reports false when the session was closing already.
func (ss *session) closeGracefully(reason string) bool {
	ss.mu.Lock()
	if ss.state != stateOpen {
		ss.mu.Unlock()
		return false
	}
	ss.state = stateClosing
	if ss.reason == "" {
		ss.reason = reason
	}
	if ws := ss.ws; ws != nil {
		// melody writes it after the frames queued, then closes: the
		// session finishes in onWSClosed.
		_ = ss.write(ws, outFrame{B: websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down"), Close: true})
		ss.mu.Unlock()
		time.AfterFunc(closeWait, func() { ss.finish(reason) })
		return true
	}
	ss.queue = append(ss.queue, wire.EnginePacket{Type: wire.Close})
	ss.wakeGET()
	ss.mu.Unlock()
	time.AfterFunc(closeWait, func() { ss.finish(reason) })
	return true
}

// finish ends the session at once, for reason unless one was set: its
// namespaces' connections end, its WebSocket closes, a waiting GET is
// answered. Calls after the first do nothing.
func (ss *session) finish(reason string) {
	ss.mu.Lock()
	if ss.state == stateClosed {
		ss.mu.Unlock()
		return
	}
	ss.state = stateClosed
	if ss.reason == "" {
		ss.reason = reason
	}
	reason = ss.reason
	ss.beatGen++
	if ss.beat != nil {
		ss.beat.Stop()
	}
	if ss.connectT != nil {
		ss.connectT.Stop()
	}
	sockets := ss.sockets
	ss.sockets = nil
	ws, probe := ss.ws, ss.probe
	ss.wakeGET()
	late := reason == host.ReasonClientClosed && ws == nil && !ss.polling && !ss.wsFirst
	ss.lateNoop = late
	ss.mu.Unlock()
	if late {
		time.AfterFunc(closeWait, func() { ss.srv.remove(ss) })
	} else {
		ss.srv.remove(ss)
	}
	if ws != nil {
		_ = ws.Close()
	}
	if probe != nil {
		_ = probe.Close()
	}
	for _, sock := range sockets {
		sock.conn.End(reason)
	}
	ss.srv.log.Debug("socket.io: session closed", "sid", ss.sid, "reason", reason)
}

// canProbe reports whether a WebSocket may probe an upgrade of the session.
func (ss *session) canProbe() bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.state == stateOpen && !ss.wsFirst && ss.ws == nil && ss.probe == nil
}
