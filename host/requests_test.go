package host_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/protocol"
	"github.com/eventhost/eventhost/internal/wstest"
)

func TestReplyEchoesID(t *testing.T) {
	t.Parallel()
	srv := newServer(t, echo, host.Config{})
	c := wstest.Dial(t, srv.wsURL)
	tests := []struct {
		name     string
		frame    string
		wantID   string
		wantData string
	}{
		{name: "number", frame: `{"event":"echo","id":7,"data":{"name":"Ada"}}`, wantID: `7`, wantData: `{"name":"Ada"}`},
		{name: "zero", frame: `{"event":"echo","id":0,"data":1}`, wantID: `0`, wantData: `1`},
		{name: "negative exponent", frame: `{"event":"echo","id":-1.50e3,"data":true}`, wantID: `-1.50e3`, wantData: `true`},
		{name: "beyond float64", frame: `{"event":"echo","id":123456789012345678901234567890,"data":2}`, wantID: `123456789012345678901234567890`, wantData: `2`},
		{name: "upper exponent", frame: `{"event":"echo","id":1E+2,"data":3}`, wantID: `1E+2`, wantData: `3`},
		{name: "string", frame: `{"event":"echo","id":"abc","data":"x"}`, wantID: `"abc"`, wantData: `"x"`},
		{name: "empty string", frame: `{"event":"echo","id":""}`, wantID: `""`, wantData: `null`},
		{name: "string with escapes", frame: `{"event":"echo","id":"a\u00e9\"\\x","data":[]}`, wantID: `"a\u00e9\"\\x"`, wantData: `[]`},
		{name: "id first, spaces", frame: ` { "id" : 42 , "event" : "echo" , "data" : [1, 2] } `, wantID: `42`, wantData: `[1, 2]`},
		{name: "no data is null", frame: `{"event":"echo","id":8}`, wantID: `8`, wantData: `null`},
		{name: "null data is null", frame: `{"event":"echo","id":9,"data":null}`, wantID: `9`, wantData: `null`},
		{name: "unknown members ignored", frame: `{"event":"echo","id":10,"extra":{"a":1}}`, wantID: `10`, wantData: `null`},
	}
	// One connection on purpose: each reply must come alone, and sync proves
	// that nothing else follows it.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.Send(t, tt.frame)
			wstest.WantReply(t, c.Next(t), tt.wantID, tt.wantData)
			c.Sync(t)
		})
	}
}

func TestBinaryReply(t *testing.T) {
	t.Parallel()
	payload := []byte{0, 1, 2, 0xff, '{', '}'}
	h := host.HandlerFunc(func(_ context.Context, call *host.Call) (host.Reply, error) {
		return host.Reply{Data: payload, Binary: true}, nil
	})
	c := wstest.Dial(t, newServer(t, h, host.Config{}).wsURL)
	for _, id := range []string{`"b-1"`, `17`} {
		env, got := wstest.WantBinary(t, c.CallID(t, id, "bin", `{"n":1}`))
		if string(env) != `{"id":`+id+`}` {
			t.Errorf("envelope %s, want {\"id\":%s}", env, id)
		}
		if !bytes.Equal(got, payload) {
			t.Errorf("payload %v, want %v", got, payload)
		}
		c.Sync(t)
	}
}

func TestNoIDNoReply(t *testing.T) {
	t.Parallel()
	calls := make(chan string, 8)
	h := host.HandlerFunc(func(_ context.Context, call *host.Call) (host.Reply, error) {
		calls <- string(call.Data)
		return host.Reply{Data: []byte(`"ignored"`)}, nil
	})
	c := wstest.Dial(t, newServer(t, h, host.Config{}).wsURL)
	c.Send(t, wstest.Request("", "fire", `{"k":"v"}`))
	c.SendBinary(t, wstest.BinaryFrame(`{"event":"fire.bin"}`, []byte("raw")))
	c.Sync(t)
	for _, want := range []string{`{"k":"v"}`, `raw`} {
		if got := <-calls; got != want {
			t.Errorf("handler got %s, want %s", got, want)
		}
	}
}

func TestEmit(t *testing.T) {
	t.Parallel()
	errs := make(chan error, 4)
	h := host.HandlerFunc(func(_ context.Context, call *host.Call) (host.Reply, error) {
		errs <- call.Conn.Emit("news", host.Payload{Data: []byte(`{"n":1}`)})
		errs <- call.Conn.Emit("empty", host.Payload{})
		errs <- call.Conn.Emit("é\"vent", host.Payload{Data: []byte{9, 8, 7}, Binary: true})
		return host.Reply{Data: []byte(`"ok"`)}, nil
	})
	c := wstest.Dial(t, newServer(t, h, host.Config{}).wsURL)
	c.Send(t, wstest.Request("1", "go", ""))
	if d := wstest.WantPush(t, c.Next(t), "news"); string(d) != `{"n":1}` {
		t.Errorf("news data %s", d)
	}
	if d := wstest.WantPush(t, c.Next(t), "empty"); string(d) != `null` {
		t.Errorf("empty data %s, want null", d)
	}
	env, payload := wstest.WantBinary(t, c.Next(t))
	if m := wstest.Object(t, env, "event"); wstest.Str(t, m["event"]) != "é\"vent" {
		t.Errorf("binary push envelope %s", env)
	}
	if !bytes.Equal(payload, []byte{9, 8, 7}) {
		t.Errorf("binary push payload %v", payload)
	}
	wstest.WantReply(t, c.Next(t), `1`, `"ok"`)
	for range 3 {
		if err := <-errs; err != nil {
			t.Errorf("Emit: %v", err)
		}
	}
}

func TestBadRequest(t *testing.T) {
	t.Parallel()
	srv := newServer(t, echo, host.Config{})
	c := wstest.Dial(t, srv.wsURL)
	tests := []struct {
		name      string
		frame     string
		wantID    string // "" when the error comes as a push
		wantEvent string // the push's event member
		wantMsg   string // a part of the message
	}{
		{name: "malformed", frame: `{"event":`, wantMsg: "malformed JSON"},
		{name: "not JSON", frame: `hello`, wantMsg: "malformed JSON"},
		{name: "empty frame", frame: ``, wantMsg: "malformed JSON"},
		{name: "array", frame: `[{"event":"echo","id":1}]`, wantMsg: "JSON object"},
		{name: "string", frame: `"echo"`, wantMsg: "JSON object"},
		{name: "number", frame: `12`, wantMsg: "JSON object"},
		{name: "missing event with id", frame: `{"id":5}`, wantID: `5`, wantMsg: "missing event"},
		{name: "missing event without id", frame: `{"data":1}`, wantMsg: "missing event"},
		{name: "empty event with id", frame: `{"event":"","id":"s"}`, wantID: `"s"`, wantMsg: "must not be empty"},
		{name: "empty event without id", frame: `{"event":""}`, wantMsg: "must not be empty"},
		{name: "event a number", frame: `{"event":5,"id":6}`, wantID: `6`, wantMsg: "event must be a string"},
		{name: "event null", frame: `{"event":null,"id":7}`, wantID: `7`, wantMsg: "event"},
		{name: "event an object without id", frame: `{"event":{}}`, wantMsg: "event must be a string"},
		{name: "id true", frame: `{"event":"echo","id":true}`, wantMsg: "id must be a string or a number"},
		{name: "id object", frame: `{"event":"echo","id":{}}`, wantMsg: "id must be a string or a number"},
		{name: "id null", frame: `{"event":"echo","id":null}`, wantMsg: "id must be a string or a number"},
		{name: "id array", frame: `{"event":"echo","id":[1]}`, wantMsg: "id must be a string or a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.Send(t, tt.frame)
			f := c.Next(t)
			var msg string
			if tt.wantID != "" {
				msg = wstest.WantErrorReply(t, f, tt.wantID, "bad_request")
			} else {
				msg = wstest.WantErrorPush(t, f, "bad_request", tt.wantEvent)
			}
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("message %q, want it to mention %q", msg, tt.wantMsg)
			}
			// The connection stays open and serves the next request.
			wstest.WantReply(t, c.CallID(t, `"after"`, "echo", `1`), `"after"`, `1`)
		})
	}
}

func TestBinaryRequest(t *testing.T) {
	t.Parallel()
	type seen struct {
		event  string
		data   []byte
		binary bool
	}
	calls := make(chan seen, 8)
	h := host.HandlerFunc(func(_ context.Context, call *host.Call) (host.Reply, error) {
		calls <- seen{call.Event, call.Data, call.Binary}
		return host.Reply{Data: []byte(fmt.Sprintf("%d", len(call.Data)))}, nil
	})
	c := wstest.Dial(t, newServer(t, h, host.Config{}).wsURL)
	payload := []byte{0, 0, 0, 9, 0xff, 'x', 0}
	c.SendBinary(t, wstest.BinaryFrame(` {"event":"files.put","id":"up-1"} `, payload))
	wstest.WantReply(t, c.Next(t), `"up-1"`, `7`)
	got := <-calls
	if got.event != "files.put" || !got.binary || !bytes.Equal(got.data, payload) {
		t.Errorf("handler got event %q binary %v data %v, want files.put true %v", got.event, got.binary, got.data, payload)
	}
	// An empty payload is still a binary call.
	c.SendBinary(t, wstest.BinaryFrame(`{"event":"files.put","id":2}`, nil))
	wstest.WantReply(t, c.Next(t), `2`, `0`)
	if got := <-calls; !got.binary || len(got.data) != 0 {
		t.Errorf("handler got binary %v data %v, want an empty binary call", got.binary, got.data)
	}
}

func TestBadBinaryRequest(t *testing.T) {
	t.Parallel()
	srv := newServer(t, echo, host.Config{})
	c := wstest.Dial(t, srv.wsURL)
	tests := []struct {
		name    string
		frame   []byte
		wantID  string
		wantMsg string
	}{
		{name: "empty", frame: []byte{}, wantMsg: "shorter than"},
		{name: "shorter than the length", frame: []byte{0, 0}, wantMsg: "shorter than"},
		{name: "length past the end", frame: wstest.BinaryFrame(`{"event":"a","id":1}`, nil)[:12], wantMsg: "exceeds"},
		{name: "envelope not JSON", frame: wstest.BinaryFrame(`{"event"`, []byte("p")), wantMsg: "malformed JSON"},
		{name: "envelope an array", frame: wstest.BinaryFrame(`[1]`, []byte("p")), wantMsg: "JSON object"},
		{name: "data in envelope", frame: wstest.BinaryFrame(`{"event":"a","id":3,"data":1}`, []byte("p")), wantID: `3`, wantMsg: "no data"},
		{name: "missing event", frame: wstest.BinaryFrame(`{"id":"k"}`, []byte("p")), wantID: `"k"`, wantMsg: "missing event"},
		{name: "bad id", frame: wstest.BinaryFrame(`{"event":"a","id":false}`, nil), wantMsg: "id must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.SendBinary(t, tt.frame)
			f := c.Next(t)
			var msg string
			if tt.wantID != "" {
				msg = wstest.WantErrorReply(t, f, tt.wantID, "bad_request")
			} else {
				msg = wstest.WantErrorPush(t, f, "bad_request", "")
			}
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("message %q, want it to mention %q", msg, tt.wantMsg)
			}
			c.SendBinary(t, wstest.BinaryFrame(`{"event":"echo","id":"next"}`, []byte{1, 2}))
			env, payload := wstest.WantBinary(t, c.Next(t))
			if string(env) != `{"id":"next"}` || !bytes.Equal(payload, []byte{1, 2}) {
				t.Fatalf("after a bad frame: got envelope %s payload %v", env, payload)
			}
		})
	}
}

// codedError is a handler error with its own wire code, like the runtime's.
type codedError struct{ code, msg string }

func (e *codedError) Error() string     { return e.msg }
func (e *codedError) ErrorCode() string { return e.code }

func TestErrorMapping(t *testing.T) {
	t.Parallel()
	errs := map[string]error{
		"coded":            &codedError{"unauthorized", "not allowed here"},
		"coded custom":     &codedError{"quota_exceeded", "3 calls a day"},
		"coded internal":   &codedError{"internal", "pool slot 3 is corrupt"},
		"plain":            errors.New("dial tcp 10.0.0.7:5432: password authentication failed"),
		"wrapped plain":    fmt.Errorf("query: %w", errors.New("secret table users_v2")),
		"deadline":         context.DeadlineExceeded,
		"wrapped deadline": fmt.Errorf("run: %w", context.DeadlineExceeded),
		"canceled":         context.Canceled,
	}
	h := host.HandlerFunc(func(_ context.Context, call *host.Call) (host.Reply, error) {
		return host.Reply{}, errs[call.Event]
	})
	srv := newServer(t, h, host.Config{CallTimeout: 1500 * time.Millisecond})
	c := wstest.Dial(t, srv.wsURL)
	tests := []struct {
		event    string
		wantCode string
		wantMsg  string
	}{
		{event: "coded", wantCode: "unauthorized", wantMsg: "not allowed here"},
		{event: "coded custom", wantCode: "quota_exceeded", wantMsg: "3 calls a day"},
		{event: "coded internal", wantCode: "internal", wantMsg: "pool slot 3 is corrupt"},
		{event: "plain", wantCode: "internal", wantMsg: "internal error"},
		{event: "wrapped plain", wantCode: "internal", wantMsg: "internal error"},
		{event: "deadline", wantCode: "timeout", wantMsg: "call did not finish within 1.5s"},
		{event: "wrapped deadline", wantCode: "timeout", wantMsg: "call did not finish within 1.5s"},
		{event: "canceled", wantCode: "internal", wantMsg: "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			if msg := wstest.WantErrorReply(t, c.CallID(t, `"r"`, tt.event, ""), `"r"`, tt.wantCode); msg != tt.wantMsg {
				t.Errorf("reply message %q, want %q", msg, tt.wantMsg)
			}
			// Without an id the same error comes as an error push naming the event.
			c.Send(t, wstest.Request("", tt.event, ""))
			if msg := wstest.WantErrorPush(t, c.Next(t), tt.wantCode, tt.event); msg != tt.wantMsg {
				t.Errorf("push message %q, want %q", msg, tt.wantMsg)
			}
			c.Sync(t)
		})
	}
}

// TestProtocolErrorMessage: a *protocol.Error's Message is what the client
// should read; its Error() text repeats the code ("unauthorized: ...").
func TestProtocolErrorMessage(t *testing.T) {
	t.Parallel()
	h := host.HandlerFunc(func(_ context.Context, call *host.Call) (host.Reply, error) {
		return host.Reply{}, protocol.Errorf(protocol.CodeUnauthorized, "log in first")
	})
	c := wstest.Dial(t, newServer(t, h, host.Config{}).wsURL)
	if msg := wstest.WantErrorReply(t, c.CallID(t, `1`, "x", ""), `1`, "unauthorized"); msg != "log in first" {
		t.Errorf("handler's protocol.Error: message %q, want %q", msg, "log in first")
	}
	if msg := wstest.WantErrorReply(t, c.CallID(t, `2`, "", ""), `2`, "bad_request"); msg != "event must not be empty" {
		t.Errorf("host's own bad_request: message %q, want %q", msg, "event must not be empty")
	}
}
