package wstest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/eventhost/eventhost/host/protocol"
	"github.com/eventhost/eventhost/internal/wsframe"
)

// Request returns the text of a request frame; id and data are JSON text,
// left out when empty.
func Request(id, event, data string) string {
	var b strings.Builder
	b.WriteString(`{"event":`)
	b.Write(protocol.AppendString(nil, event))
	if id != "" {
		b.WriteString(`,"id":`)
		b.WriteString(id)
	}
	if data != "" {
		b.WriteString(`,"data":`)
		b.WriteString(data)
	}
	b.WriteString("}")
	return b.String()
}

// BinaryFrame returns a binary request frame: the 4-byte big-endian length
// of envelope, envelope, then payload.
func BinaryFrame(envelope string, payload []byte) []byte {
	return protocol.AppendBinary(nil, []byte(envelope), payload)
}

// CallID sends a request with id (JSON text, "" for none) and returns the
// next frame, whatever it is: for tests that assert the exact order of what
// the server sends.
func (c *Client) CallID(t testing.TB, id, event, data string) Frame {
	t.Helper()
	c.Send(t, Request(id, event, data))
	return c.Next(t)
}

// Request sends event with data (JSON text, "" for none) under a fresh
// numeric id and returns that id.
func (c *Client) Request(t testing.TB, event, data string) string {
	t.Helper()
	id := fmt.Sprint(c.seq.Add(1))
	c.Send(t, Request(id, event, data))
	return id
}

// Reply waits for the reply to id and returns it with the pushes that came
// before it. A reply to another id, or a frame that does not decode, fails
// the test.
func (c *Client) Reply(t testing.TB, id string) (Frame, []Frame) {
	t.Helper()
	var pushes []Frame
	for {
		f := c.Next(t)
		if err := DecodeErr(f); err != nil {
			t.Fatalf("waiting for the reply to %s: %v", id, err)
		}
		if f.ID == id {
			return f, pushes
		}
		if f.ID != "" {
			t.Fatalf("reply to %s while waiting for %s: %s", f.ID, id, f.Raw)
		}
		pushes = append(pushes, f)
	}
}

// DecodeErr returns why f, as a Client received it, is not a frame of the
// protocol, or nil when it is one.
func DecodeErr(f Frame) error {
	if _, err := wsframe.Decode(f.Binary, f.Raw); err != nil {
		return fmt.Errorf("undecodable %v: %w", f, err)
	}
	return nil
}

// Call sends a request under a fresh id and returns its reply, skipping
// the pushes before it.
func (c *Client) Call(t testing.TB, event, data string) Frame {
	t.Helper()
	f, _ := c.Reply(t, c.Request(t, event, data))
	return f
}

// OK calls event and expects a successful reply whose data is the JSON
// want, compared as values (JSONEqual).
func (c *Client) OK(t testing.TB, event, data, want string) {
	t.Helper()
	f := c.Call(t, event, data)
	if f.Error != nil {
		t.Fatalf("%s %s: error %s: %s", event, data, f.Error.Code, f.Error.Message)
	}
	if got := string(f.Data); !JSONEqual(got, want) {
		t.Fatalf("%s %s: data %s, want %s", event, data, got, want)
	}
}

// Fails calls event, expects an error reply with code and returns its
// message.
func (c *Client) Fails(t testing.TB, event, data, code string) string {
	t.Helper()
	f := c.Call(t, event, data)
	if f.Error == nil {
		t.Fatalf("%s %s: got data %s, want error %s", event, data, f.Data, code)
	}
	if f.Error.Code != code {
		t.Fatalf("%s %s: error %s (%s), want %s", event, data, f.Error.Code, f.Error.Message, code)
	}
	return f.Error.Message
}

// Sync proves that every frame the server owes for what was sent so far has
// arrived: it sends a request without an event, which the server answers
// itself on the connection's read goroutine after everything sent before
// it, and expects that answer to be the very next frame.
func (c *Client) Sync(t testing.TB) {
	t.Helper()
	id := fmt.Sprintf(`"sync-%d"`, c.seq.Add(1))
	c.Send(t, `{"id":`+id+`}`)
	if msg := WantErrorReply(t, c.Next(t), id, "bad_request"); !strings.Contains(msg, "missing event") {
		t.Fatalf("sync reply message %q", msg)
	}
}
