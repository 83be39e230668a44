package siosuite

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// jsonUnmarshal decodes one JSON value, refusing trailing data, as
// JSON.parse does.
func jsonUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("JSON.parse: %w", err)
	}
	if dec.More() {
		return fmt.Errorf("JSON.parse: trailing data after the value")
	}
	return nil
}

// parseOpen is JSON.parse(content.substring(1)) of an Engine.IO open
// packet, as an object.
func (c *tc) parseOpen(what, content string) map[string]json.RawMessage {
	c.Helper()
	if content == "" {
		c.Fatalf("%s: empty open packet", what)
	}
	var v map[string]json.RawMessage
	if err := jsonUnmarshal([]byte(content[1:]), &v); err != nil || v == nil {
		c.Fatalf("%s: %q is not an open packet with an object: %v", what, content, err)
	}
	return v
}

// expectKeys is chai's to.have.all.keys(...): exactly these keys.
func (c *tc) expectKeys(what string, v map[string]json.RawMessage, want ...string) {
	c.Helper()
	got := make([]string, 0, len(v))
	for k := range v {
		got = append(got, k)
	}
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		c.Fatalf("%s: keys %v, want exactly %v", what, got, want)
	}
}

// expectString is to.be.a("string").
func (c *tc) expectString(what string, raw json.RawMessage) {
	c.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		c.Fatalf("%s: %s is not a string", what, raw)
	}
}

// expectJSON is to.eql(want) for a JSON value: deep equality of the
// decoded values.
func (c *tc) expectJSON(what string, raw json.RawMessage, want any) {
	c.Helper()
	var got any
	if err := json.Unmarshal(raw, &got); err != nil {
		c.Fatalf("%s: %s: %v", what, raw, err)
	}
	wantRaw, err := json.Marshal(want)
	if err != nil {
		c.Fatalf("%s: marshal %v: %v", what, want, err)
	}
	var wantV any
	if err := json.Unmarshal(wantRaw, &wantV); err != nil {
		c.Fatalf("%s: %s: %v", what, wantRaw, err)
	}
	gotN, _ := json.Marshal(got)
	wantN, _ := json.Marshal(wantV)
	if !bytes.Equal(gotN, wantN) {
		c.Fatalf("%s: %s, want %s", what, raw, wantRaw)
	}
}

// expectEngineIOHandshake checks an Engine.IO open packet as both
// handshake tests do, with the upgrades the transport should offer.
func (c *tc) expectEngineIOHandshake(content string, upgrades []string) {
	c.Helper()
	if !strings.HasPrefix(content, "0") {
		c.Fatalf("handshake %q does not start with \"0\"", content)
	}
	v := c.parseOpen("handshake", content)
	c.expectKeys("handshake "+content, v, "sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload")
	c.expectString("handshake sid", v["sid"])
	c.expectJSON("handshake upgrades", v["upgrades"], upgrades)
	c.expectJSON("handshake pingInterval", v["pingInterval"], PingInterval.Milliseconds())
	c.expectJSON("handshake pingTimeout", v["pingTimeout"], PingTimeout.Milliseconds())
	c.expectJSON("handshake maxPayload", v["maxPayload"], MaxPayload)
}

// expectSocketIOHandshake checks a Socket.IO CONNECT answer as the connect
// tests do: prefix, then an object whose only key is the string sid.
func (c *tc) expectSocketIOHandshake(ev wsEvent, prefix string) {
	c.Helper()
	data := c.expectTextPrefix("Socket.IO handshake", ev, prefix)
	var v map[string]json.RawMessage
	if err := jsonUnmarshal([]byte(data[len(prefix):]), &v); err != nil || v == nil {
		c.Fatalf("Socket.IO handshake %q: not an object after %q: %v", data, prefix, err)
	}
	c.expectKeys("Socket.IO handshake "+data, v, "sid")
	c.expectString("Socket.IO handshake sid", v["sid"])
}
