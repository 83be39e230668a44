package main

import (
	"context"
	"fmt"
	"net/url"

	"github.com/gorilla/websocket"
)

// The protocols eventload speaks (Config.Proto).
const (
	// ProtoWS is eventhost's native JSON protocol on /ws.
	ProtoWS = "ws"
	// ProtoSocketIO is Socket.IO v5 on Engine.IO v4, WebSocket transport
	// only, connected to the namespace "/".
	ProtoSocketIO = "socketio"
)

// DefaultSocketIOURL is the default URL with Proto ProtoSocketIO.
const DefaultSocketIOURL = "ws://127.0.0.1:8080/socket.io/"

// defaultURL returns the default URL of proto.
func defaultURL(proto string) string {
	if proto == ProtoSocketIO {
		return DefaultSocketIOURL
	}
	return DefaultURL
}

// parser classifies the frames of one connection as parseFrame does. It is
// used by the connection's reader only, and may keep state between frames.
type parser interface {
	parse(messageType int, frame []byte) (kind frameKind, id uint64, code []byte)
}

// wire is what a load connection needs from its protocol.
type wire struct {
	// dialURL is the URL to dial (cfg.URL with what the protocol adds).
	dialURL string
	// request is every request frame of the run but its id.
	request template
	// handshake runs on a new connection before the load; nil: none.
	handshake func(ctx context.Context, ws *websocket.Conn) error
	// newParser returns the classifier of one connection's frames.
	newParser func() parser
	// pong is the answer to a framePing.
	pong []byte
	// bye is sent before the closing handshake at the end; nil: nothing.
	bye []byte
}

// nativeParser is the stateless parser of the native protocol.
type nativeParser struct{}

func (nativeParser) parse(typ int, frame []byte) (frameKind, uint64, []byte) {
	return parseFrame(typ, frame)
}

// newWire returns the wire of cfg's protocol; cfg has its defaults.
func newWire(cfg *Config) (*wire, error) {
	switch cfg.Proto {
	case ProtoWS:
		return &wire{
			dialURL:   cfg.URL,
			request:   nativeTemplate(cfg.Event, cfg.Data),
			newParser: func() parser { return nativeParser{} },
		}, nil
	case ProtoSocketIO:
		u, err := socketIOURL(cfg.URL)
		if err != nil {
			return nil, err
		}
		request := socketIOTemplate(cfg.Event, cfg.Data)
		return &wire{
			dialURL: u,
			request: request,
			handshake: func(ctx context.Context, ws *websocket.Conn) error {
				return socketIOHandshake(ctx, ws, request.size())
			},
			newParser: func() parser { return new(sioParser) },
			pong:      []byte("3"),
			bye:       []byte("41"),
		}, nil
	}
	return nil, fmt.Errorf("%w: Proto must be %q or %q, not %q", errConfig, ProtoWS, ProtoSocketIO, cfg.Proto)
}

// socketIOURL returns the Engine.IO URL for raw: the path /socket.io/ when
// raw has none, and the query EIO=4&transport=websocket (other parameters
// are kept).
func socketIOURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%w: URL %q: %w", errConfig, raw, err)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/socket.io/"
	}
	q := u.Query()
	q.Set("EIO", "4")
	q.Set("transport", "websocket")
	u.RawQuery = q.Encode()
	return u.String(), nil
}
