package main

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/eventhost/eventhost/host"
)

// sioConfig is a Socket.IO run against url.
func sioConfig(url string, cfg Config) Config {
	cfg.Proto = ProtoSocketIO
	cfg.URL = url
	return cfg
}

// TestSocketIOEcho: every event is acked, and the server's pings are
// answered, so it keeps every connection.
func TestSocketIOEcho(t *testing.T) {
	t.Parallel()
	s := &sioServer{pingInterval: 20 * time.Millisecond}
	url := startSocketIO(t, s)
	res := runLoad(t, sioConfig(url, Config{Connections: 2, InFlight: 4, Duration: 300 * time.Millisecond, Grace: 5 * time.Second}))
	if res.Sent == 0 || res.OK != res.Sent || res.Lost != 0 || len(res.Errors) != 0 || res.Unexpected != 0 {
		t.Fatalf("sent %d ok %d lost %d errors %v unexpected %d: want every request acked", res.Sent, res.OK, res.Lost, res.Errors, res.Unexpected)
	}
	if !res.Success() || res.Disconnects != 0 {
		t.Errorf("result %+v: want a clean success", res)
	}
	if res.Pings == 0 || s.pongs.Load() == 0 || s.late.Load() != 0 {
		t.Errorf("client answered %d pings, server got %d pongs of %d pings, %d late: want pings answered", res.Pings, s.pongs.Load(), s.pings.Load(), s.late.Load())
	}
	if n := s.events.Load(); n != res.Sent {
		t.Errorf("server got %d events, eventload sent %d", n, res.Sent)
	}
	checkLatency(t, res.Latency)
}

// TestSocketIOCount: -n sends exactly n events over all connections.
func TestSocketIOCount(t *testing.T) {
	t.Parallel()
	s := &sioServer{}
	url := startSocketIO(t, s)
	res := runLoad(t, sioConfig(url+"/socket.io/", Config{Connections: 4, InFlight: 8, Requests: 1000, Grace: 5 * time.Second}))
	if res.Sent != 1000 || res.OK != 1000 || !res.Success() || s.events.Load() != 1000 {
		t.Fatalf("sent %d ok %d lost %d, server events %d: want exactly 1000", res.Sent, res.OK, res.Lost, s.events.Load())
	}
}

func TestSocketIOErrorAcks(t *testing.T) {
	t.Parallel()
	s := &sioServer{action: func(n int64) sioAction {
		if n%3 == 0 {
			return sioFail
		}
		return sioEcho
	}}
	url := startSocketIO(t, s)
	res := runLoad(t, sioConfig(url, Config{Connections: 2, InFlight: 4, Requests: 300, Grace: 5 * time.Second}))
	if len(res.Errors) != 1 || res.Errors["teapot"] != s.failed.Load() || s.failed.Load() != 100 {
		t.Errorf("errors %v, want teapot: %d", res.Errors, s.failed.Load())
	}
	if res.OK != 200 || res.Lost != 0 || res.Success() {
		t.Errorf("ok %d lost %d success %v: want 200 ok and a failure", res.OK, res.Lost, res.Success())
	}
}

// TestSocketIOLost: events the server never acks are lost after the grace
// period; the rest count.
func TestSocketIOLost(t *testing.T) {
	t.Parallel()
	s := &sioServer{action: func(n int64) sioAction {
		if n%10 == 0 {
			return sioDrop
		}
		return sioEcho
	}}
	url := startSocketIO(t, s)
	res := runLoad(t, sioConfig(url, Config{Connections: 2, InFlight: 4, Duration: 300 * time.Millisecond, Grace: time.Second}))
	if res.Lost == 0 || res.Lost != s.dropped.Load() || res.OK+res.Lost != res.Sent || res.Success() {
		t.Errorf("sent %d ok %d lost %d, server dropped %d: want the dropped acks lost", res.Sent, res.OK, res.Lost, s.dropped.Load())
	}
}

// TestSocketIOPushesAndBinaryAcks: events from the server are pushes, a
// BINARY_ACK is a reply and its attachment is skipped.
func TestSocketIOPushesAndBinaryAcks(t *testing.T) {
	t.Parallel()
	s := &sioServer{action: func(n int64) sioAction {
		if n%2 == 0 {
			return sioBinary
		}
		return sioPush
	}}
	url := startSocketIO(t, s)
	res := runLoad(t, sioConfig(url, Config{InFlight: 4, Requests: 200, Grace: 5 * time.Second}))
	if res.OK != 200 || res.Pushes != 100 || res.Unexpected != 0 || !res.Success() {
		t.Errorf("ok %d pushes %d unexpected %d: want 200 acks and 100 pushes", res.OK, res.Pushes, res.Unexpected)
	}
}

func TestSocketIODisconnect(t *testing.T) {
	t.Parallel()
	s := &sioServer{action: func(n int64) sioAction {
		if n == 5 {
			return sioDisconnect
		}
		return sioEcho
	}}
	url := startSocketIO(t, s)
	res := runLoad(t, sioConfig(url, Config{Duration: 5 * time.Second, Grace: time.Second}))
	if res.Disconnects != 1 || !errors.Is(res.Disconnect, errServerClosed) || res.Success() {
		t.Errorf("disconnects %d (%v), success %v: want the server's DISCONNECT reported", res.Disconnects, res.Disconnect, res.Success())
	}
	if res.Elapsed >= 5*time.Second {
		t.Errorf("elapsed %s: the run should end with its only connection", res.Elapsed)
	}
}

func TestSocketIOConnectErrors(t *testing.T) {
	t.Parallel()
	refusing := startSocketIO(t, &sioServer{refuse: true})
	native := startServer(t, echo, host.Config{})
	small := startSocketIO(t, &sioServer{maxPayload: 32})
	for _, tc := range []struct {
		name, url, want string
	}{
		{"connect refused", refusing, "CONNECT refused"},
		{"request above maxPayload", small, "exceeds the server's maxPayload 32"},
		{"not socket.io", strings.TrimSuffix(native, "/ws"), "bad handshake"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := runLoad(t, sioConfig(tc.url, Config{Connections: 3, Duration: 50 * time.Millisecond}))
			if res.ConnectErrors != 3 || res.ConnectError == nil || !strings.Contains(res.ConnectError.Error(), tc.want) || res.Sent != 0 {
				t.Errorf("connect errors %d (%v) sent %d: want 3 failed connections (%s)", res.ConnectErrors, res.ConnectError, res.Sent, tc.want)
			}
		})
	}
}

func TestSocketIOCommand(t *testing.T) {
	t.Parallel()
	url := startSocketIO(t, &sioServer{})
	stdout, stderr, code := runCommand(t, "-proto", "socketio", "-url", url, "-c", "2", "-w", "3", "-n", "100", "-json")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var res struct {
		Proto string `json:"proto"`
		Sent  int64  `json:"sent"`
		OK    int64  `json:"ok"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || res.Proto != "socketio" || res.Sent != 100 || res.OK != 100 {
		t.Errorf("output %s (%v)", stdout, err)
	}
	if _, stderr, code := runCommand(t, "-proto", "mqtt"); code != 2 || !strings.Contains(stderr, "-proto") {
		t.Errorf("-proto mqtt: exit %d (want 2), stderr %q", code, stderr)
	}
}

func TestSocketIOURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"ws://h:1", "ws://h:1/socket.io/?EIO=4&transport=websocket"},
		{"ws://h:1/", "ws://h:1/socket.io/?EIO=4&transport=websocket"},
		{"wss://h/socket.io/", "wss://h/socket.io/?EIO=4&transport=websocket"},
		{"ws://h/custom/?token=x&EIO=3", "ws://h/custom/?EIO=4&token=x&transport=websocket"},
	} {
		if got, err := socketIOURL(tc.in); err != nil || got != tc.want {
			t.Errorf("socketIOURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	var cfg Config
	if err := cfg.setDefaults(); err != nil || cfg.URL != DefaultURL || cfg.Proto != ProtoWS {
		t.Errorf("defaults %q %q (%v)", cfg.Proto, cfg.URL, err)
	}
	cfg = Config{Proto: ProtoSocketIO}
	if err := cfg.setDefaults(); err != nil || cfg.URL != DefaultSocketIOURL {
		t.Errorf("socketio default URL %q (%v)", cfg.URL, err)
	}
	if _, err := Run(t.Context(), Config{Proto: "mqtt"}); !errors.Is(err, errConfig) {
		t.Errorf("Proto mqtt: %v, want errConfig", err)
	}
}

func TestParseSocketIO(t *testing.T) {
	t.Parallel()
	text, bin := websocket.TextMessage, websocket.BinaryMessage
	type frame struct {
		typ  int
		data string
	}
	for _, tc := range []struct {
		name   string
		frames []frame // all but the last set the parser's state
		kind   frameKind
		id     uint64
		code   string
	}{
		{"ack", []frame{{text, `4342[{"a":1}]`}}, frameOK, 42, ""},
		{"empty ack", []frame{{text, `437[]`}}, frameOK, 7, ""},
		{"ack of several", []frame{{text, `437[1,"x",null]`}}, frameOK, 7, ""},
		{"error ack", []frame{{text, `439[{"error":{"code":"timeout","message":"late"}}]`}}, frameError, 9, "timeout"},
		{"error ack, message first", []frame{{text, `439[{"error":{"message":"late","code":"overloaded"}}]`}}, frameError, 9, "overloaded"},
		{"error ack with escapes", []frame{{text, `439[{"error":{"code":"bad_request","message":"a \"b\\"}}]`}}, frameError, 9, "bad_request"},
		{"error ack, message escapes its closing quote (not JSON)", []frame{{text, `439[{"error":{"code":"x","message":"a\"}}]`}}, frameOK, 9, ""},
		{"error ack, more error fields", []frame{{text, `439[{"error":{"code":"x","message":"a","b":"c"}}]`}}, frameError, 9, "x"},
		{"error ack, then another argument", []frame{{text, `439[{"error":{"code":"x","message":"a"}},{"b":{"c":"d"}}]`}}, frameOK, 9, ""},
		{"error ack, escaped code", []frame{{text, `439[{"error":{"code":"a\"b","message":""}}]`}}, frameError, 9, `a"b`},
		{"error ack without code", []frame{{text, `439[{"error":{"code":""}}]`}}, frameError, 9, "unknown"},
		{"error among arguments", []frame{{text, `439[{"error":{"code":"x"}},2]`}}, frameOK, 9, ""},
		{"error beside data", []frame{{text, `439[{"error":{"code":"x"},"data":1}]`}}, frameOK, 9, ""},
		{"error text in data", []frame{{text, `439[{"note":"error"}]`}}, frameOK, 9, ""},
		{"error not an object", []frame{{text, `439[{"error":"boom"}]`}}, frameOK, 9, ""},
		{"largest id", []frame{{text, `4318446744073709551615[1]`}}, frameOK, 18446744073709551615, ""},
		{"ack id too large", []frame{{text, `4318446744073709551616[1]`}}, frameOther, 0, ""},
		{"ack without id", []frame{{text, `43[1]`}}, frameOther, 0, ""},
		{"zero ack id", []frame{{text, `430[1]`}}, frameOther, 0, ""},
		{"leading zero", []frame{{text, `4303[1]`}}, frameOther, 0, ""},
		{"ack of another namespace", []frame{{text, `43/chat,3[1]`}}, frameOther, 0, ""},
		{"ack without arguments", []frame{{text, `433`}}, frameOther, 0, ""},
		{"event", []frame{{text, `42["tick",1]`}}, framePush, 0, ""},
		{"event with ack id", []frame{{text, `425["tick",1]`}}, framePush, 0, ""},
		{"malformed event", []frame{{text, `42{}`}}, frameOther, 0, ""},
		{"ping", []frame{{text, `2`}}, framePing, 0, ""},
		{"probe", []frame{{text, `2probe`}}, frameOther, 0, ""},
		{"noop", []frame{{text, `6`}}, frameControl, 0, ""},
		{"engine close", []frame{{text, `1`}}, frameClose, 0, ""},
		{"disconnect", []frame{{text, `41`}}, frameClose, 0, ""},
		{"disconnect of another namespace", []frame{{text, `41/chat,`}}, frameOther, 0, ""},
		{"late connect", []frame{{text, `40{"sid":"x"}`}}, frameOther, 0, ""},
		{"empty", []frame{{text, ``}}, frameOther, 0, ""},
		{"binary ack", []frame{{text, `462-5[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`}}, frameOK, 5, ""},
		{"its attachment", []frame{{text, `461-5[{"_placeholder":true,"num":0}]`}, {bin, "\x01"}}, frameControl, 0, ""},
		{"after its attachments", []frame{{text, `461-5[{"_placeholder":true,"num":0}]`}, {bin, "\x01"}, {bin, "\x02"}}, frameOther, 0, ""},
		{"text while attachments are awaited", []frame{{text, `451-["b",{"_placeholder":true,"num":0}]`}, {text, `437[1]`}}, frameOther, 0, ""},
		{"binary event", []frame{{text, `451-["b",{"_placeholder":true,"num":0}]`}}, framePush, 0, ""},
		{"too many attachments", []frame{{text, `4511-["b"]`}}, frameOther, 0, ""},
		{"stray binary", []frame{{bin, "\x01"}}, frameOther, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var p sioParser
			var kind frameKind
			var id uint64
			var code []byte
			for _, f := range tc.frames {
				kind, id, code = p.parse(f.typ, []byte(f.data))
			}
			if kind != tc.kind || id != tc.id || string(code) != tc.code {
				t.Errorf("parse %v = %d, %d, %q; want %d, %d, %q", tc.frames, kind, id, code, tc.kind, tc.id, tc.code)
			}
		})
	}
}

// FuzzParseSocketIO: acks as a server encodes them come back with their id,
// and error acks with their code.
func FuzzParseSocketIO(f *testing.F) {
	f.Add(uint64(1), `{"hello":"world"}`, "", false)
	f.Add(uint64(123456789), `null`, "timeout", true)
	f.Add(uint64(1), `"error"`, `a"b\`, true)
	f.Add(uint64(0), `1`, "", false)
	f.Fuzz(func(t *testing.T, id uint64, data, code string, isError bool) {
		if !json.Valid([]byte(data)) || !utf8.ValidString(code) {
			t.Skip() // json.Marshal would replace the invalid code's bytes
		}
		arg := []byte(data)
		wantKind, wantCode := frameOK, ""
		if isError {
			e, _ := json.Marshal(map[string]any{"error": map[string]string{"code": code, "message": "m"}})
			arg, wantKind, wantCode = e, frameError, code
			if code == "" {
				wantCode = "unknown"
			}
		} else if ec, isErr := ackError(append(append([]byte("["), arg...), ']')); isErr {
			wantKind, wantCode = frameError, string(ec) // data that is itself an error object
		}
		if id == 0 {
			wantKind, wantCode = frameOther, ""
		}
		frame := append(strconv.AppendUint([]byte("43"), id, 10), '[')
		frame = append(append(frame, arg...), ']')
		var p sioParser
		kind, gotID, gotCode := p.parse(websocket.TextMessage, frame)
		if kind != wantKind || (kind != frameOther && gotID != id) || string(gotCode) != wantCode {
			t.Errorf("parse(%q) = %d, %d, %q; want %d, %d, %q", frame, kind, gotID, gotCode, wantKind, id, wantCode)
		}
	})
}

// FuzzAckErrorPaths: where the fast path reads an error ack that is valid
// JSON, decoding it gives the same code.
func FuzzAckErrorPaths(f *testing.F) {
	f.Add(`[{"error":{"code":"timeout","message":"late"}}]`)
	f.Add(`[{"error":{"code":"x","message":"a\"b\\"}}]`)
	f.Add(`[{"error":{"code":"x","message":"a"}},{"b":{"c":"d"}}]`)
	f.Add(`[{"error":{"code":"","message":""}}]`)
	f.Fuzz(func(t *testing.T, args string) {
		fast, ok := fastAckError([]byte(args))
		if !ok || !json.Valid([]byte(args)) || !utf8.ValidString(args) {
			return // json.Unmarshal replaces invalid UTF-8, the fast path keeps it
		}
		slow, isErr := decodeAckError([]byte(args))
		if !isErr || string(slow) != string(fast) {
			t.Errorf("%s: fast path %q, decoded %q (%v)", args, fast, slow, isErr)
		}
	})
}

// TestSocketIOHotPathAllocations: building an event and reading acks and
// pings does not allocate.
func TestSocketIOHotPathAllocations(t *testing.T) {
	tmpl := socketIOTemplate("api.ping.echo", []byte(DefaultData))
	buf := make([]byte, 0, tmpl.size()+20)
	ack := []byte(`431234567[{"hello":"world"}]`)
	errAck := []byte(`431234568[{"error":{"code":"timeout","message":"call did not finish"}}]`)
	ping := []byte("2")
	var p sioParser
	id := uint64(1 << 40)
	allocs := testing.AllocsPerRun(1000, func() {
		buf = tmpl.appendRequest(buf[:0], id)
		id++
		if k, _, _ := p.parse(websocket.TextMessage, ack); k != frameOK {
			t.Fatal("not an ack")
		}
		if k, _, code := p.parse(websocket.TextMessage, errAck); k != frameError || string(code) != "timeout" {
			t.Fatal("not an error ack")
		}
		if k, _, _ := p.parse(websocket.TextMessage, ping); k != framePing {
			t.Fatal("not a ping")
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per request, want 0", allocs)
	}
	want := `42` + strconv.FormatUint(id-1, 10) + `["api.ping.echo",{"hello":"world"}]`
	if string(buf) != want {
		t.Errorf("request %s, want %s", buf, want)
	}
}
