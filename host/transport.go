package host

import (
	"github.com/olahol/melody"
)

// Transport carries one connection's messages below it: a WebSocket for /ws,
// an Engine.IO session for Socket.IO. Its methods are called from any
// goroutine and must not block.
type Transport interface {
	// Send queues m for the client, after the messages queued before it. It
	// fails with ErrConnClosed once the connection is closing or has ended,
	// and when the client does not keep up: then the transport ends the
	// connection as a slow consumer.
	Send(m Message) error
	// Close ends the connection after the messages already queued, with a
	// WebSocket close code and reason (a transport without close codes
	// ignores them). Messages sent after it are refused.
	Close(code int, reason string) error
	// Cut ends the connection at once, dropping what is queued.
	Cut()
}

// wsTransport is the transport of a /ws connection: its outbox feeding
// melody (outbox.go).
type wsTransport struct{ c *Conn }

// Send queues m's frames through the outbox.
func (t wsTransport) Send(m Message) error {
	if err := t.c.write(m.Frame, m.Binary); err != nil {
		return err
	}
	for _, a := range m.Attachments {
		if err := t.c.write(a, true); err != nil {
			return err
		}
	}
	return nil
}

// Close queues a close frame behind the frames already queued.
func (t wsTransport) Close(code int, reason string) error {
	return t.c.closeWith(melody.FormatCloseMessage(code, reason))
}

// Cut closes the network connection.
func (t wsTransport) Cut() {
	if s := t.c.sess; s != nil {
		_ = s.WebsocketConnection().Close()
	}
}
