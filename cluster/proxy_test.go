package cluster_test

import (
	"net"
	"sync"
	"testing"
)

// proxy is a TCP proxy between nodes and a real NATS server whose upstream
// direction (node → NATS) can be held: while held, what a node sends (a
// SUB, a PING of a flush) waits in the proxy, as over a slow network.
type proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	held  bool
	cond  *sync.Cond
	conns []net.Conn
	wg    sync.WaitGroup
}

// startProxy proxies a loopback port to the NATS server at addr (host:port)
// until the test ends.
func startProxy(t testing.TB, addr string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy: %v", err)
	}
	p := &proxy{ln: ln, target: addr}
	p.cond = sync.NewCond(&p.mu)
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// URL is the proxy's NATS URL.
func (p *proxy) URL() string { return "nats://" + p.ln.Addr().String() }

// hold stops forwarding node → NATS; release forwards again, in order.
func (p *proxy) hold() { p.mu.Lock(); p.held = true; p.mu.Unlock() }
func (p *proxy) release() {
	p.mu.Lock()
	p.held = false
	p.cond.Broadcast()
	p.mu.Unlock()
}

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		down, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = down.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, down, up)
		p.mu.Unlock()
		p.wg.Add(2)
		go func() { defer p.wg.Done(); p.pipe(up, down, true) }()
		go func() { defer p.wg.Done(); p.pipe(down, up, false) }()
	}
}

// pipe copies from src to dst; upstream copies wait while held.
func (p *proxy) pipe(dst, src net.Conn, upstream bool) {
	defer func() { _ = dst.Close(); _ = src.Close() }()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if upstream {
				p.mu.Lock()
				for p.held {
					p.cond.Wait()
				}
				p.mu.Unlock()
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return // EOF, or a side closed
		}
	}
}

func (p *proxy) close() {
	_ = p.ln.Close()
	p.mu.Lock()
	p.held = false
	p.cond.Broadcast()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
