package melodyio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/olahol/melody"
)

// TestCorkIdleFrame: a single frame on a quiet connection goes out at once,
// in a write of its own, and leaves no buffer held.
func TestCorkIdleFrame(t *testing.T) {
	t.Parallel()
	c := newTestServer(t, nil).dial(t)
	for i := range 3 {
		before := c.tap.count()
		c.write(t, Frame{B: fmt.Appendf(nil, "frame %d", i)})
		if _, b := c.next(t); string(b) != fmt.Sprintf("frame %d", i) {
			t.Fatalf("got %q", b)
		}
		c.idle(t)
		if n := c.tap.count() - before; n != 1 {
			t.Fatalf("one frame took %d writes", n)
		}
	}
}

// burst makes n frames queue behind a first one: the socket's first write
// is held back until all n are in the Outbox, then let go. It returns the
// frames in the order written, the first included.
func burst(t *testing.T, c *conn, frames []Frame, then ...Frame) {
	t.Helper()
	started, release := c.tap.gate()
	defer release()
	c.write(t, frames[0])
	select {
	case <-started:
	case <-time.After(timeout):
		t.Fatal("the first frame was not written")
	}
	c.write(t, frames[1:]...)
	c.write(t, then...)
	release()
}

// TestCorkBurst: frames queued behind one another arrive whole and in
// order, in far fewer writes than frames: everything a cork buffer holds in
// one, and a frame longer than gorilla's write buffer in one with what is
// held before it.
func TestCorkBurst(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		n, size   int
		maxWrites int // after the first frame's own
	}{
		{"small", 500, 20, 1},  // 500 × ~24 B fits one buffer
		{"1KB", 160, 1000, 10}, // ~160 KB: a write per 16 KB
		// Sizes up to 100 KB, binary and text, 6 writes per 6 frames here:
		// a frame too long for a buffer goes with what is held in one
		// writev(2) on a TCP connection, but through the tap (not a
		// *net.TCPConn) net.Buffers makes that two writes. 4 syscalls.
		{"mixed", 60, 0, 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newTestServer(t, nil).dial(t)
			frames := make([]Frame, tc.n)
			for i := range frames {
				size := tc.size
				if size == 0 {
					size = []int{3, 200, 5000, 100_000, 16 << 10, 70_000}[i%6]
				}
				b := bytes.Repeat([]byte{'a' + byte(i%26)}, size)
				copy(b, fmt.Sprintf("%d:", i))
				frames[i] = Frame{B: b, Binary: i%4 == 1}
			}
			before := c.tap.count()
			burst(t, c, frames)
			for i, f := range frames {
				kind, b := c.next(t)
				if !bytes.Equal(b, f.B) || (kind == websocket.BinaryMessage) != f.Binary {
					t.Fatalf("frame %d: got %d bytes (binary %v) %.20q…, want %d (binary %v) %.20q…",
						i, len(b), kind == websocket.BinaryMessage, b, len(f.B), f.Binary, f.B)
				}
			}
			c.idle(t)
			writes := c.tap.count() - before - 1
			t.Logf("%d frames after the first in %d writes", tc.n-1, writes)
			if writes > tc.maxWrites {
				t.Fatalf("%d frames took %d writes after the first, want at most %d", tc.n-1, writes, tc.maxWrites)
			}
		})
	}
}

// TestCorkPingIdle: melody's ping on an idle connection goes out on its
// own; a client's ping is answered at once, with or without frames queued.
func TestCorkPingIdle(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, func(cfg *melody.Config) { cfg.PingPeriod = 20 * time.Millisecond })
	c := srv.dial(t)
	pings := make(chan string, 16)
	pongs := make(chan string, 16)
	c.ws.SetPingHandler(func(s string) error { pings <- s; return nil })
	c.ws.SetPongHandler(func(s string) error { pongs <- s; return nil })
	reads := make(chan []byte, 16)
	go func() {
		defer close(reads)
		for {
			_, b, err := c.ws.ReadMessage()
			if err != nil {
				return
			}
			reads <- b
		}
	}()
	for range 2 {
		select {
		case <-pings:
		case <-time.After(timeout):
			t.Fatal("no ping on an idle connection")
		}
	}
	if err := c.ws.WriteControl(websocket.PingMessage, []byte("p1"), time.Now().Add(timeout)); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-pongs:
		if s != "p1" {
			t.Fatalf("pong %q", s)
		}
	case <-time.After(timeout):
		t.Fatal("no pong")
	}
	c.write(t, Frame{B: []byte("after the pings")})
	select {
	case b := <-reads:
		if string(b) != "after the pings" {
			t.Fatalf("got %q", b)
		}
	case <-time.After(timeout):
		t.Fatal("no frame")
	}
	c.idle(t)
}

// TestCorkCloseAfterBurst: a close queued behind a burst goes out after
// every frame of it, in the same write as the last of them.
func TestCorkCloseAfterBurst(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, nil)
	c := srv.dial(t)
	frames := make([]Frame, 100)
	for i := range frames {
		frames[i] = Frame{B: fmt.Appendf(nil, "%d", i)}
	}
	before := c.tap.count()
	burst(t, c, frames, Frame{B: melody.FormatCloseMessage(4001, "bye"), Close: true})
	for i := range frames {
		if _, b := c.next(t); string(b) != fmt.Sprint(i) {
			t.Fatalf("frame %d: got %q", i, b)
		}
	}
	_, _, err := c.ws.ReadMessage()
	if ce := (*websocket.CloseError)(nil); !errors.As(err, &ce) || ce.Code != 4001 || ce.Text != "bye" {
		t.Fatalf("after the burst: %v, want close 4001 bye", err)
	}
	if n := c.tap.count() - before; n != 2 {
		t.Fatalf("the first frame, then 99 and the close, took %d writes, want 2", n)
	}
	srv.endedWith(t)
}

// TestCorkSlowConsumer: a client that reads nothing makes the server's
// write time out after melody's WriteWait, held frames or not, and the
// session ends with the timeout.
func TestCorkSlowConsumer(t *testing.T) {
	t.Parallel()
	const wait = 300 * time.Millisecond
	srv := newTestServer(t, func(cfg *melody.Config) { cfg.WriteWait = wait })
	c := srv.dial(t)
	frame := Frame{B: bytes.Repeat([]byte("x"), 4000)}
	start := time.Now()
	for {
		srv.mu.Lock()
		queued := int(srv.out.handed.Load()) + len(srv.out.waiting)
		closed := srv.out.closed
		srv.mu.Unlock()
		if closed {
			break
		}
		if queued < 64 {
			c.write(t, frame)
			continue
		}
		if time.Since(start) > timeout {
			t.Fatal("the server kept writing to a client that reads nothing")
		}
		time.Sleep(time.Millisecond)
	}
	err := srv.endedWith(t)
	if ne := net.Error(nil); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("the session ended with %v, want a write timeout", err)
	}
}

// TestCorkFailedWrite: a write that fails, carrying held frames, ends the
// session with its error, as a write of one frame did.
func TestCorkFailedWrite(t *testing.T) {
	t.Parallel()
	broken := errors.New("broken pipe (injected)")
	srv := newTestServer(t, nil)
	c := srv.dial(t)
	frames := make([]Frame, 50)
	for i := range frames {
		frames[i] = Frame{B: fmt.Appendf(nil, "%d", i)}
	}
	started, release := c.tap.gate()
	c.write(t, frames[0])
	<-started
	c.write(t, frames[1:]...)
	c.tap.fail(broken) // the write of frames 1 to 49
	release()
	if _, b := c.next(t); string(b) != "0" {
		t.Fatalf("got %q", b)
	}
	if err := srv.endedWith(t); !errors.Is(err, broken) {
		t.Fatalf("the session ended with %v, want %v", err, broken)
	}
	_ = c.ws.SetReadDeadline(time.Now().Add(timeout))
	if _, b, err := c.ws.ReadMessage(); err == nil {
		t.Fatalf("read %q after the failed write", b)
	}
}

// TestFrameHead reads the three lengths of a frame header, masked or not.
func TestFrameHead(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		p    []byte
		size int
		fin  bool
		op   byte
		ok   bool
	}{
		{"short", []byte{0x81}, 0, false, 0, false},
		{"text 5", []byte{0x81, 5, 'h'}, 7, true, 1, true},
		{"ping", []byte{0x89, 0}, 2, true, 9, true},
		{"fragment 126", []byte{0x02, 126, 0x01, 0x00}, 4 + 256, false, 2, true},
		{"127", []byte{0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0}, 10 + 65536, true, 2, true},
		{"127 short", []byte{0x82, 127, 0, 0}, 0, false, 0, false},
		{"masked", []byte{0x81, 0x80 | 3}, 2 + 4 + 3, true, 1, true},
		{"huge", []byte{0x82, 127, 0, 0, 0, 0, 0x40, 0, 0, 1}, 0, false, 0, false},
		{"1 GiB", []byte{0x82, 127, 0, 0, 0, 0, 0x40, 0, 0, 0}, 10 + 1<<30, true, 2, true},
	} {
		size, fin, op, ok := frameHead(tc.p)
		if size != tc.size || fin != tc.fin || op != tc.op || ok != tc.ok {
			t.Errorf("%s: frameHead = %d %v %d %v, want %d %v %d %v", tc.name, size, fin, op, ok, tc.size, tc.fin, tc.op, tc.ok)
		}
	}
}

// TestCorkOffOnStrangeWrite: once a write is not a frame as gorilla writes
// them, the cork holds nothing: every write goes out as it comes, even with
// frames queued behind.
func TestCorkOffOnStrangeWrite(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
		close(accepted)
	}()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	raw := <-accepted
	if raw == nil {
		t.Fatal("accept failed")
	}
	tp := &tap{Conn: raw}
	out := &Outbox{}
	out.handed.Store(5) // frames queued behind whatever is written
	k := &cork{Conn: tp, out: out}
	defer k.Close()
	for i, p := range [][]byte{
		[]byte("HTTP/1.1 101 Switching Protocols\r\n\r\n"), // the handshake's answer
		{0x81, 2, 'h', 'i'},  // held: frames are queued behind it
		{0x81, 5, 'a'},       // the head of a frame
		{'b', 'c', 'd', 'e'}, // its rest, held
		{'x'},                // not a frame: everything goes, and the cork is off
		{0x81, 2, 'o', 'k'},  // goes at once
	} {
		if n, err := k.Write(p); n != len(p) || err != nil {
			t.Fatalf("write %d: %d, %v", i, n, err)
		}
	}
	if n := tp.count(); n != 3 {
		t.Fatalf("%d writes reached the socket, want 3 (the answer, the four held with the stray one, the last)", n)
	}
	want := "HTTP/1.1 101 Switching Protocols\r\n\r\n\x81\x02hi\x81\x05abcdex\x81\x02ok"
	got := make([]byte, len(want))
	_ = client.SetReadDeadline(time.Now().Add(timeout))
	if _, err := io.ReadFull(client, got); err != nil || string(got) != want {
		t.Fatalf("read %q, %v; want %q", got, err, want)
	}
}
