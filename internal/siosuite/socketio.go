package siosuite

import "testing"

// socketIO is describe("Socket.IO protocol").
func (s *suite) socketIO(t *testing.T) {
	describe(t, "connect", s.connect)
	describe(t, "disconnect", s.disconnect)
	describe(t, "message", s.message)
}

// ws dials the Engine.IO WebSocket endpoint without a session.
func (c *tc) ws() *testSocket {
	c.Helper()
	return c.createWebSocket(c.s.wsURL + "/socket.io/?EIO=4&transport=websocket")
}

// initSocketIOConnection is the suite's initSocketIOConnection(): a
// WebSocket connected to the main namespace, its handshake and "auth"
// packet consumed.
func (c *tc) initSocketIOConnection() *testSocket {
	c.Helper()
	socket := c.ws()
	socket.waitFor(evMessage) // Engine.IO handshake
	socket.send("40")
	socket.waitFor(evMessage) // Socket.IO handshake
	socket.waitFor(evMessage) // "auth" packet
	return socket
}

func (s *suite) connect(t *testing.T) {
	s.it(t, "should allow connection to the main namespace", testTimeout, func(c *tc) {
		socket := c.ws()
		socket.waitFor(evMessage) // Engine.IO handshake
		socket.send("40")
		c.expectSocketIOHandshake(socket.waitFor(evMessage), "40")
		c.expectText("auth packet", socket.waitFor(evMessage), `42["auth",{}]`)
	})

	s.it(t, "should allow connection to the main namespace with a payload", testTimeout, func(c *tc) {
		socket := c.ws()
		socket.waitFor(evMessage) // Engine.IO handshake
		socket.send(`40{"token":"123"}`)
		c.expectSocketIOHandshake(socket.waitFor(evMessage), "40")
		c.expectText("auth packet", socket.waitFor(evMessage), `42["auth",{"token":"123"}]`)
	})

	s.it(t, "should allow connection to a custom namespace", testTimeout, func(c *tc) {
		socket := c.ws()
		socket.waitFor(evMessage) // Engine.IO handshake
		socket.send("40/custom,")
		c.expectSocketIOHandshake(socket.waitFor(evMessage), "40/custom,")
		c.expectText("auth packet", socket.waitFor(evMessage), `42/custom,["auth",{}]`)
	})

	s.it(t, "should allow connection to a custom namespace with a payload", testTimeout, func(c *tc) {
		socket := c.ws()
		socket.waitFor(evMessage) // Engine.IO handshake
		socket.send(`40/custom,{"token":"abc"}`)
		c.expectSocketIOHandshake(socket.waitFor(evMessage), "40/custom,")
		c.expectText("auth packet", socket.waitFor(evMessage), `42/custom,["auth",{"token":"abc"}]`)
	})

	s.it(t, "should disallow connection to an unknown namespace", testTimeout, func(c *tc) {
		socket := c.ws()
		socket.waitFor(evMessage) // Engine.IO handshake
		socket.send("40/random")
		c.expectText("CONNECT_ERROR", socket.waitFor(evMessage), `44/random,{"message":"Invalid namespace"}`)
	})

	s.it(t, "should disallow connection with an invalid handshake", testTimeout, func(c *tc) {
		socket := c.ws()
		socket.waitFor(evMessage) // Engine.IO handshake
		socket.send("4abc")
		socket.waitFor(evClose)
	})

	s.it(t, "should close the connection if no handshake is received", testTimeout, func(c *tc) {
		socket := c.ws()
		socket.waitFor(evClose)
	})
}

func (s *suite) disconnect(t *testing.T) {
	s.it(t, "should disconnect from the main namespace", testTimeout, func(c *tc) {
		socket := c.initSocketIOConnection()
		socket.send("41")
		c.expectText("after DISCONNECT", socket.waitFor(evMessage), "2")
	})

	s.it(t, "should connect then disconnect from a custom namespace", testTimeout, func(c *tc) {
		socket := c.initSocketIOConnection()
		socket.waitFor(evMessage) // ping
		socket.send("40/custom")
		socket.waitFor(evMessage) // Socket.IO handshake
		socket.waitFor(evMessage) // auth packet
		socket.send("41/custom")
		socket.send(`42["message","message to main namespace"]`)
		c.expectText("echo on the main namespace", socket.waitFor(evMessage), `42["message-back","message to main namespace"]`)
	})
}

func (s *suite) message(t *testing.T) {
	s.it(t, "should send a plain-text packet", testTimeout, func(c *tc) {
		socket := c.initSocketIOConnection()
		socket.send(`42["message",1,"2",{"3":[true]}]`)
		c.expectText("echo", socket.waitFor(evMessage), `42["message-back",1,"2",{"3":[true]}]`)
	})

	s.it(t, "should send a packet with binary attachments", testTimeout, func(c *tc) {
		socket := c.initSocketIOConnection()
		socket.send(`452-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`)
		socket.sendBinary([]byte{1, 2, 3})
		socket.sendBinary([]byte{4, 5, 6})
		packets := socket.waitForPackets(3)
		c.expectText("packets[0]", packets[0], `452-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`)
		c.expectBinary("packets[1]", packets[1], []byte{1, 2, 3})
		c.expectBinary("packets[2]", packets[2], []byte{4, 5, 6})
		socket.close()
	})

	s.it(t, "should send a plain-text packet with an ack", testTimeout, func(c *tc) {
		socket := c.initSocketIOConnection()
		socket.send(`42456["message-with-ack",1,"2",{"3":[false]}]`)
		c.expectText("ack", socket.waitFor(evMessage), `43456[1,"2",{"3":[false]}]`)
	})

	s.it(t, "should send a packet with binary attachments and an ack", testTimeout, func(c *tc) {
		socket := c.initSocketIOConnection()
		socket.send(`452-789["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`)
		socket.sendBinary([]byte{1, 2, 3})
		socket.sendBinary([]byte{4, 5, 6})
		packets := socket.waitForPackets(3)
		c.expectText("packets[0]", packets[0], `462-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`)
		c.expectBinary("packets[1]", packets[1], []byte{1, 2, 3})
		c.expectBinary("packets[2]", packets[2], []byte{4, 5, 6})
		socket.close()
	})

	s.it(t, "should close the connection upon invalid format (unknown packet type)", testTimeout, func(c *tc) {
		socket := c.initSocketIOConnection()
		socket.send("4abc")
		socket.waitFor(evClose)
	})

	s.it(t, "should close the connection upon invalid format (invalid payload format)", testTimeout, func(c *tc) {
		socket := c.initSocketIOConnection()
		socket.send("42{}")
		socket.waitFor(evClose)
	})

	s.it(t, "should close the connection upon invalid format (invalid ack id)", testTimeout, func(c *tc) {
		socket := c.initSocketIOConnection()
		socket.send(`42abc["message-with-ack",1,"2",{"3":[false]}]`)
		socket.waitFor(evClose)
	})
}
