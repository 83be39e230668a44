package sioclient

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// The types of [Event], as client.mjs writes them.
const (
	TypeConnect          = "connect"
	TypeConnectError     = "connect_error"
	TypeDisconnect       = "disconnect"
	TypeEvent            = "event"
	TypeAck              = "ack"
	TypeAckError         = "ack_error"
	TypeOpen             = "open"
	TypeUpgrade          = "upgrade"
	TypeReconnectAttempt = "reconnect_attempt"
	TypeReconnect        = "reconnect"
	TypeReconnectError   = "reconnect_error"
	TypeReconnectFailed  = "reconnect_failed"
	TypeState            = "state"
	TypeCommandError     = "command_error"
	// TypeReady is the first line, written once client.mjs reads commands.
	TypeReady = "ready"
)

// Event is one line written by client.mjs: something that happened to a
// socket. Which fields are set depends on Type.
type Event struct {
	// Type is one of the Type... constants.
	Type string `json:"type"`
	// Socket names the socket it happened to.
	Socket string `json:"socket"`
	// ID is the command id of an ack, ack_error, state or command_error.
	ID int64 `json:"id,omitempty"`
	// SID is the Socket.IO session id (connect, state).
	SID string `json:"sid,omitempty"`
	// Transport is the Engine.IO transport name, "polling" or "websocket"
	// (connect, open, upgrade, state).
	Transport string `json:"transport,omitempty"`
	// Name is the event name of an event.
	Name string `json:"event,omitempty"`
	// Args are the arguments of an event or an ack, binary values as
	// {"$bytes": "<base64>"} (see [Event.Bytes]).
	Args []json.RawMessage `json:"args,omitempty"`
	// Message is err.message of a connect_error, ack_error,
	// reconnect_error or command_error.
	Message string `json:"message,omitempty"`
	// Data is err.data of a connect_error (JSON null when there is none).
	Data json.RawMessage `json:"data,omitempty"`
	// Reason is the disconnect reason ("io server disconnect",
	// "transport close", "io client disconnect", ...).
	Reason string `json:"reason,omitempty"`
	// Description is the message of a disconnect's details, if any.
	Description string `json:"description,omitempty"`
	// Attempt is the attempt number of reconnect_attempt and reconnect.
	Attempt int `json:"attempt,omitempty"`
	// Connected is socket.connected (state).
	Connected bool `json:"connected,omitempty"`

	raw string // the line as written
}

// String returns the line as client.mjs wrote it.
func (e Event) String() string { return e.raw }

// Arg decodes argument i into v.
func (e Event) Arg(i int, v any) error {
	if i < 0 || i >= len(e.Args) {
		return fmt.Errorf("sioclient: %s has %d arguments, no argument %d", e.raw, len(e.Args), i)
	}
	if err := json.Unmarshal(e.Args[i], v); err != nil {
		return fmt.Errorf("sioclient: argument %d of %s: %w", i, e.raw, err)
	}
	return nil
}

// Bytes returns argument i as bytes, if it is a binary value.
func (e Event) Bytes(i int) ([]byte, bool) {
	if i < 0 || i >= len(e.Args) {
		return nil, false
	}
	return DecodeBytes(e.Args[i])
}

// binary is how a binary value crosses the JSON lines.
type binary struct {
	B64 string `json:"$bytes"`
}

// Bytes wraps b so that it is sent to socket.io-client as a Buffer (a
// binary attachment), anywhere in an argument.
func Bytes(b []byte) any {
	return binary{B64: base64.StdEncoding.EncodeToString(b)}
}

// DecodeBytes reads a binary value, {"$bytes": "<base64>"}.
func DecodeBytes(raw json.RawMessage) ([]byte, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || len(m) != 1 || m["$bytes"] == nil {
		return nil, false
	}
	var s string
	if json.Unmarshal(m["$bytes"], &s) != nil {
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	return b, true
}
