package socketio_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/protocol"
	"github.com/eventhost/eventhost/host/socketio"
	"github.com/eventhost/eventhost/internal/siosuite"
)

// suiteHandler gives the behaviours the official suite expects (those of
// testdata/socketio/reference-server.mjs) as Go handlers, so that the
// protocol layer is tested without JavaScript.
var suiteHandler = host.HandlerFunc(func(_ context.Context, c *host.Call) (host.Reply, error) {
	switch strings.TrimPrefix(c.Event, "custom.") {
	case "message":
		_ = c.Conn.Emit("message-back", host.Payload{Data: c.Data, Rest: c.Rest, Attachments: c.Attachments})
		return host.Reply{}, nil
	case "message-with-ack":
		return host.Reply{Data: c.Data, Rest: c.Rest, Attachments: c.Attachments}, nil
	}
	return host.Reply{}, protocol.Errorf(protocol.CodeUnknownEvent, "no handler for %s", c.Event)
})

// suiteHooks refuses {"refuse":true} and greets with the CONNECT payload.
type suiteHooks struct{}

func (suiteHooks) Connect(_ context.Context, hs *host.Handshake) ([]byte, error) {
	var auth struct{ Refuse bool }
	_ = json.Unmarshal(hs.Auth, &auth)
	if auth.Refuse {
		return nil, protocol.Errorf("forbidden", "refused")
	}
	return nil, nil
}

func (suiteHooks) Disconnect(*host.Conn, string) {}

func (suiteHooks) Connected(c *host.Conn, started func()) {
	auth := c.Handshake().Auth
	if auth == nil {
		auth = []byte("{}")
	}
	_ = c.Emit("auth", host.Payload{Data: auth})
	started()
}

func TestOfficialSuite(t *testing.T) {
	ts, _ := newServer(t, suiteHandler, host.Config{Hooks: suiteHooks{}}, socketio.Config{
		PingInterval: siosuite.PingInterval, PingTimeout: siosuite.PingTimeout,
		ConnectTimeout: siosuite.ConnectTimeout, MaxPayload: siosuite.MaxPayload,
		Namespace: func(ns string) bool { return ns == "/custom" },
	})
	siosuite.Run(t, ts.URL)
}

var _ = httptest.NewServer
