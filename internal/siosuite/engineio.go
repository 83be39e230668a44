package siosuite

import (
	"net/http"
	"sync"
	"testing"
)

// engineIO is describe("Engine.IO protocol").
func (s *suite) engineIO(t *testing.T) {
	describe(t, "handshake", func(t *testing.T) {
		describe(t, "HTTP long-polling", s.handshakePolling)
		describe(t, "WebSocket", s.handshakeWebSocket)
	})
	describe(t, "heartbeat", func(t *testing.T) {
		describe(t, "HTTP long-polling", s.heartbeatPolling)
		describe(t, "WebSocket", s.heartbeatWebSocket)
	})
	describe(t, "close", func(t *testing.T) {
		describe(t, "HTTP long-polling", s.closePolling)
		describe(t, "WebSocket", s.closeWebSocket)
	})
	describe(t, "upgrade", s.upgrade)
}

func (s *suite) handshakePolling(t *testing.T) {
	s.it(t, "should successfully open a session", testTimeout, func(c *tc) {
		r := c.get("EIO=4&transport=polling")
		c.expectStatus("GET", r, http.StatusOK)
		c.expectEngineIOHandshake(r.text, []string{"websocket"})
	})

	s.it(t, "should fail with an invalid 'EIO' query parameter", testTimeout, func(c *tc) {
		c.expectStatus("GET without EIO", c.get("transport=polling"), http.StatusBadRequest)
		c.expectStatus("GET with EIO=abc", c.get("EIO=abc&transport=polling"), http.StatusBadRequest)
	})

	s.it(t, "should fail with an invalid 'transport' query parameter", testTimeout, func(c *tc) {
		c.expectStatus("GET without transport", c.get("EIO=4"), http.StatusBadRequest)
		c.expectStatus("GET with transport=abc", c.get("EIO=4&transport=abc"), http.StatusBadRequest)
	})

	s.it(t, "should fail with an invalid request method", testTimeout, func(c *tc) {
		c.expectStatus("POST without sid", c.send(http.MethodPost, "EIO=4&transport=polling", ""), http.StatusBadRequest)
		c.expectStatus("PUT without sid", c.send(http.MethodPut, "EIO=4&transport=polling", ""), http.StatusBadRequest)
	})
}

func (s *suite) handshakeWebSocket(t *testing.T) {
	s.it(t, "should successfully open a session", testTimeout, func(c *tc) {
		socket := c.createWebSocket(s.wsURL + "/socket.io/?EIO=4&transport=websocket")
		data := c.expectTextPrefix("handshake", socket.waitFor(evMessage), "0")
		c.expectEngineIOHandshake(data, []string{})
		socket.close()
	})

	s.it(t, "should fail with an invalid 'EIO' query parameter", testTimeout, func(c *tc) {
		socket := c.createWebSocket(s.wsURL + "/socket.io/?transport=websocket")
		socket.waitFor(evClose)
		socket2 := c.createWebSocket(s.wsURL + "/socket.io/?EIO=abc&transport=websocket")
		socket2.waitFor(evClose)
	})

	s.it(t, "should fail with an invalid 'transport' query parameter", testTimeout, func(c *tc) {
		socket := c.createWebSocket(s.wsURL + "/socket.io/?EIO=4")
		socket.waitFor(evClose)
		socket2 := c.createWebSocket(s.wsURL + "/socket.io/?EIO=4&transport=abc")
		socket2.waitFor(evClose)
	})
}

func (s *suite) heartbeatPolling(t *testing.T) {
	s.it(t, "should send ping/pong packets", heartbeatTimeout, func(c *tc) {
		sid := c.initLongPollingSession()
		for range 3 {
			poll := c.get("EIO=4&transport=polling&sid=" + sid)
			c.expectStatus("poll", poll, http.StatusOK)
			if poll.text != "2" {
				c.Fatalf("poll: %q, want %q", poll.text, "2")
			}
			push := c.send(http.MethodPost, "EIO=4&transport=polling&sid="+sid, "3")
			c.expectStatus("push 3", push, http.StatusOK)
		}
	})

	s.it(t, "should close the session upon ping timeout", heartbeatTimeout, func(c *tc) {
		sid := c.initLongPollingSession()
		// The original sleeps exactly PING_INTERVAL + PING_TIMEOUT, the
		// moment the server's own timer fires: timerSlack keeps a loaded
		// machine (a late timer in the server) from failing it.
		c.sleep(PingInterval + PingTimeout + timerSlack)
		c.expectStatus("poll after the ping timeout", c.get("EIO=4&transport=polling&sid="+sid), http.StatusBadRequest)
	})
}

func (s *suite) heartbeatWebSocket(t *testing.T) {
	s.it(t, "should send ping/pong packets", heartbeatTimeout, func(c *tc) {
		socket := c.createWebSocket(s.wsURL + "/socket.io/?EIO=4&transport=websocket")
		socket.waitFor(evMessage) // handshake
		for range 3 {
			c.expectText("ping", socket.waitFor(evMessage), "2")
			socket.send("3")
		}
		socket.close()
	})

	s.it(t, "should close the session upon ping timeout", heartbeatTimeout, func(c *tc) {
		socket := c.createWebSocket(s.wsURL + "/socket.io/?EIO=4&transport=websocket")
		socket.waitFor(evClose)
	})
}

func (s *suite) closePolling(t *testing.T) {
	s.it(t, "should forcefully close the session", testTimeout, func(c *tc) {
		sid := c.initLongPollingSession()
		type result struct {
			r   response
			err error
		}
		// Promise.all([fetch(poll), fetch(push)]): the push starts once the
		// poll has been sent, so that the poll is the one pending.
		poll, push := make(chan result, 1), make(chan result, 1)
		pollSent := make(chan struct{})
		go func() {
			var once sync.Once
			r, err := c.doTraced(http.MethodGet, "EIO=4&transport=polling&sid="+sid, "", func() { once.Do(func() { close(pollSent) }) })
			once.Do(func() { close(pollSent) })
			poll <- result{r, err}
		}()
		go func() {
			<-pollSent
			r, err := c.do(http.MethodPost, "EIO=4&transport=polling&sid="+sid, "1")
			push <- result{r, err}
		}()
		pollRes, pushRes := <-poll, <-push
		if pollRes.err != nil {
			c.Fatal(pollRes.err)
		}
		if pushRes.err != nil {
			c.Fatal(pushRes.err)
		}
		c.expectStatus("poll", pollRes.r, http.StatusOK)
		if pollRes.r.text != "6" {
			c.Fatalf("poll: %q, want %q", pollRes.r.text, "6")
		}
		c.expectStatus("poll after close", c.get("EIO=4&transport=polling&sid="+sid), http.StatusBadRequest)
	})
}

func (s *suite) closeWebSocket(t *testing.T) {
	s.it(t, "should forcefully close the session", testTimeout, func(c *tc) {
		socket := c.createWebSocket(s.wsURL + "/socket.io/?EIO=4&transport=websocket")
		socket.waitFor(evMessage) // handshake
		socket.send("1")
		socket.waitFor(evClose)
	})
}

func (s *suite) upgrade(t *testing.T) {
	s.it(t, "should successfully upgrade from HTTP long-polling to WebSocket", testTimeout, func(c *tc) {
		sid := c.initLongPollingSession()
		socket := c.createWebSocket(s.wsURL + "/socket.io/?EIO=4&transport=websocket&sid=" + sid)
		socket.waitFor(evOpen)
		socket.send("2probe") // send probe
		c.expectText("probe response", socket.waitFor(evMessage), "3probe")
		socket.send("5") // complete upgrade
	})

	s.it(t, "should ignore HTTP requests with same sid after upgrade", testTimeout, func(c *tc) {
		sid := c.initLongPollingSession()
		socket := c.createWebSocket(s.wsURL + "/socket.io/?EIO=4&transport=websocket&sid=" + sid)
		socket.waitFor(evOpen)
		socket.send("2probe")
		socket.waitFor(evMessage) // "3probe"
		socket.send("5")
		c.expectPollRefusedAfterUpgrade(sid)
	})

	s.it(t, "should ignore WebSocket connection with same sid after upgrade", testTimeout, func(c *tc) {
		sid := c.initLongPollingSession()
		socket := c.createWebSocket(s.wsURL + "/socket.io/?EIO=4&transport=websocket&sid=" + sid)
		socket.waitFor(evOpen)
		socket.send("2probe")
		socket.waitFor(evMessage) // "3probe"
		socket.send("5")
		socket2 := c.createWebSocket(s.wsURL + "/socket.io/?EIO=4&transport=websocket&sid=" + sid)
		socket2.waitFor(evClose)
	})
}

// expectPollRefusedAfterUpgrade polls sid after the client sent the
// upgrade packet "5" and wants a 400. The "5" travels on the WebSocket and
// the poll on another connection, so a server may see the poll first (the
// original races the same way): that poll is then answered with what a poll
// pending across an upgrade gets, a NOOP "6" or a CLOSE "1", and the next
// poll, certainly after the upgrade, must be refused.
func (c *tc) expectPollRefusedAfterUpgrade(sid string) {
	c.Helper()
	poll := c.get("EIO=4&transport=polling&sid=" + sid)
	if poll.status == http.StatusOK && (poll.text == "6" || poll.text == "1") {
		c.Logf("poll raced the upgrade and got %q; polling again", poll.text)
		poll = c.get("EIO=4&transport=polling&sid=" + sid)
	}
	c.expectStatus("poll after upgrade", poll, http.StatusBadRequest)
}
