package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/internal/jsontext"
	"github.com/eventhost/eventhost/host/protocol"
)

// Limits of POST /api/emit.
const (
	// MaxEvent is the longest event name, in bytes.
	MaxEvent = 256
	// MaxRooms is the most rooms one emit may name in "rooms", "room" and
	// "to" together.
	MaxRooms = 1024
	// MaxExcept is the most socket ids one emit may leave out.
	MaxExcept = 1024
	// MaxNamespace is the longest namespace, in bytes.
	MaxNamespace = 256
)

// reserved are the events clients give a meaning of their own: the native
// protocol's error push and Socket.IO's reserved events.
var reserved = []string{protocol.ErrorEvent, "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}

// EmitRequest is the body of POST /api/emit.
type EmitRequest struct {
	// Event is the pushed event's name: 1 to MaxEvent bytes, not a
	// reserved one.
	Event string `json:"event"`
	// Data is the push's argument, any JSON; absent means null.
	Data json.RawMessage `json:"data"`
	// Room, Rooms and To name the rooms whose members get the push, each
	// connection once: their union. To is a socket id, the room that
	// holds that connection alone. None of them: every connection of the
	// namespace.
	Room  *string  `json:"room"`
	Rooms []string `json:"rooms"`
	To    *string  `json:"to"`
	// Except lists socket ids left out.
	Except []string `json:"except"`
	// Namespace is the connections' namespace, "/" (which holds /ws) when
	// absent.
	Namespace *string `json:"namespace"`
}

// EmitResponse is the answer of POST /api/emit.
type EmitResponse struct {
	// OK reports that the push went wherever it had to: false when the
	// cluster refused it.
	OK bool `json:"ok"`
	// Delivered is how many connections of this node the push was queued
	// for.
	Delivered int `json:"delivered"`
	// Cluster reports that this node is part of a cluster.
	Cluster bool `json:"cluster"`
	// Published reports that the cluster took the push for the other
	// nodes.
	Published bool `json:"published"`
	// Error says why the cluster did not take it; nil otherwise.
	Error *errorBody `json:"error,omitempty"`
}

// target checks the request and returns its Target and payload.
func (q *EmitRequest) target() (host.Target, host.Payload, *apiError) {
	var t host.Target
	switch {
	case q.Event == "":
		return t, host.Payload{}, badRequest(`"event" is missing or empty`)
	case len(q.Event) > MaxEvent:
		return t, host.Payload{}, badRequest(fmt.Sprintf(`"event" is over %d bytes`, MaxEvent))
	case !utf8.ValidString(q.Event):
		return t, host.Payload{}, badRequest(`"event" is not valid UTF-8`)
	case slices.Contains(reserved, q.Event):
		return t, host.Payload{}, badRequest(fmt.Sprintf(`"event" %q is reserved`, q.Event))
	}
	t.Namespace = "/"
	if q.Namespace != nil {
		ns := *q.Namespace
		if !strings.HasPrefix(ns, "/") || len(ns) > MaxNamespace {
			return t, host.Payload{}, badRequest(fmt.Sprintf(`"namespace" must start with "/" and have at most %d bytes`, MaxNamespace))
		}
		t.Namespace = ns
	}
	if q.Rooms != nil && len(q.Rooms) == 0 {
		return t, host.Payload{}, badRequest(`"rooms" is empty: leave it out to reach everyone`)
	}
	if q.Room != nil {
		t.Rooms = append(t.Rooms, *q.Room)
	}
	t.Rooms = append(t.Rooms, q.Rooms...)
	for _, room := range t.Rooms {
		if room == "" || len(room) > host.MaxRoomName {
			return t, host.Payload{}, badRequest(fmt.Sprintf("a room name must have 1 to %d bytes", host.MaxRoomName))
		}
	}
	if q.To != nil {
		if !host.IsConnID(*q.To) {
			return t, host.Payload{}, badRequest(fmt.Sprintf(`"to" %q is not a socket id`, *q.To))
		}
		t.Rooms = append(t.Rooms, *q.To)
	}
	if len(t.Rooms) > MaxRooms {
		return t, host.Payload{}, badRequest(fmt.Sprintf("more than %d rooms", MaxRooms))
	}
	if len(q.Except) > MaxExcept {
		return t, host.Payload{}, badRequest(fmt.Sprintf(`"except" has more than %d socket ids`, MaxExcept))
	}
	for _, id := range q.Except {
		if !host.IsConnID(id) {
			return t, host.Payload{}, badRequest(fmt.Sprintf(`"except" holds %q, which is not a socket id`, id))
		}
	}
	t.Except = q.Except
	p, e := payload(q.Data)
	return t, p, e
}

// payload checks and compacts the push's data; absent and null are nil.
func payload(data json.RawMessage) (host.Payload, *apiError) {
	if len(data) == 0 || string(data) == "null" {
		return host.Payload{}, nil
	}
	if !jsontext.Valid(data, jsontext.MaxDepth) {
		return host.Payload{}, badRequest(fmt.Sprintf(`"data" nests deeper than %d levels`, jsontext.MaxDepth))
	}
	if !utf8.Valid(data) {
		return host.Payload{}, badRequest(`"data" is not valid UTF-8`)
	}
	var b bytes.Buffer
	b.Grow(len(data))
	if err := json.Compact(&b, data); err != nil {
		return host.Payload{}, badRequest(`"data" is not valid JSON`)
	}
	return host.Payload{Data: b.Bytes()}, nil
}

// emit serves POST /api/emit.
func (a *API) emit(w http.ResponseWriter, r *http.Request) *apiError {
	var q EmitRequest
	if e := readBody(w, r, &q); e != nil {
		return e
	}
	t, p, e := q.target()
	if e != nil {
		return e
	}
	n, err := a.srv.EmitTarget(t, q.Event, p)
	cluster := a.clustered()
	resp := EmitResponse{OK: err == nil, Delivered: n, Cluster: cluster, Published: cluster && err == nil}
	status := http.StatusOK
	if err != nil {
		status = http.StatusServiceUnavailable
		resp.Error = &errorBody{Code: CodeClusterUnavailable, Message: "delivered on this node only: the cluster did not take the push: " + err.Error()}
		a.log.Debug("api emit: the cluster did not take the push", "event", q.Event, "error", err)
	}
	writeJSON(w, status, resp)
	return nil
}
