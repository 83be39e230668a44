package sioclient

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// ClientProgram is the path, relative to the module root, of the
// socket.io-client driver.
const ClientProgram = "testdata/socketio/client.mjs"

// DefaultTimeout bounds each wait of a [Client] unless [Client.SetTimeout]
// says otherwise.
const DefaultTimeout = 5 * time.Second

// startTimeout bounds how long node may take to load client.mjs and its
// packages (seconds on a loaded machine).
const startTimeout = 30 * time.Second

// Client is one running client.mjs: a node process holding any number of
// named socket.io-client sockets. Its methods are for the test's
// goroutine.
type Client struct {
	tb      testing.TB
	stdin   io.WriteCloser
	stderr  *syncBuffer
	timeout time.Duration
	nextID  int64

	mu      sync.Mutex
	pending []Event       // read and not yet taken by a wait
	history []Event       // everything read, for failure messages
	changed chan struct{} // closed and replaced at every line and at exit
	exited  bool
	waitErr error
}

// Start launches client.mjs with node from PATH. The process ends when the
// test does (t.Cleanup closes its input; it disconnects every socket and
// exits). Without node or the npm package socket.io-client the test is
// skipped, or failed when CI=true.
func Start(tb testing.TB) *Client {
	tb.Helper()
	node := Node(tb, "socket.io-client")
	root := RepoRoot(tb)
	cmd := exec.Command(node, filepath.Join(root, ClientProgram))
	cmd.Dir = root
	cmd.WaitDelay = 5 * time.Second
	c := &Client{tb: tb, stderr: &syncBuffer{}, timeout: DefaultTimeout, changed: make(chan struct{})}
	cmd.Stderr = c.stderr
	var err error
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		tb.Fatalf("sioclient: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatalf("sioclient: %v", err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("sioclient: start %s: %v", ClientProgram, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.read(stdout)
		err := cmd.Wait()
		c.mu.Lock()
		c.exited, c.waitErr = true, err
		c.notifyLocked()
		c.mu.Unlock()
	}()
	tb.Cleanup(func() {
		c.stdin.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	c.timeout = startTimeout
	c.take("starting", "", func(ev Event) bool { return ev.Type == TypeReady })
	c.timeout = DefaultTimeout
	return c
}

// SetTimeout sets how long each later wait may take.
func (c *Client) SetTimeout(d time.Duration) { c.timeout = d }

// read buffers every line until the program's output ends.
func (c *Client) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		line := sc.Text()
		var ev Event
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			ev = Event{Type: "stdout", Message: line}
		}
		ev.raw = line
		c.mu.Lock()
		c.pending = append(c.pending, ev)
		c.history = append(c.history, ev)
		c.notifyLocked()
		c.mu.Unlock()
	}
}

func (c *Client) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// send writes one command, giving it the next id, which it returns.
func (c *Client) send(cmd map[string]any) int64 {
	c.tb.Helper()
	c.nextID++
	cmd["id"] = c.nextID
	b, err := json.Marshal(cmd)
	if err != nil {
		c.tb.Fatalf("sioclient: encode command %v: %v", cmd, err)
	}
	if _, err := c.stdin.Write(append(b, '\n')); err != nil {
		c.tb.Fatalf("sioclient: send %s: %v%s", b, err, c.diagnostics(""))
	}
	return c.nextID
}

// take removes and returns the oldest buffered event that match accepts,
// waiting for one until the client's timeout. It fails the test when none
// comes, or when an event of the socket is a command_error.
func (c *Client) take(what, socket string, match func(Event) bool) Event {
	c.tb.Helper()
	deadline := time.NewTimer(c.timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		for i, ev := range c.pending {
			if ev.Socket == socket && ev.Type == TypeCommandError {
				c.mu.Unlock()
				c.tb.Fatalf("sioclient: %s: %s: command failed: %s%s", socket, what, ev.Message, c.diagnostics(socket))
			}
			if match(ev) {
				c.pending = append(c.pending[:i:i], c.pending[i+1:]...)
				c.mu.Unlock()
				return ev
			}
		}
		exited, changed := c.exited, c.changed
		c.mu.Unlock()
		if exited {
			c.tb.Fatalf("sioclient: %s: %s: the client program has exited%s", socket, what, c.diagnostics(socket))
		}
		select {
		case <-changed:
		case <-deadline.C:
			c.tb.Fatalf("sioclient: %s: %s: nothing within %v%s", socket, what, c.timeout, c.diagnostics(socket))
		}
	}
}

// diagnostics renders what the socket (every socket if "") received, and
// the program's stderr, for failure messages.
func (c *Client) diagnostics(socket string) string {
	c.mu.Lock()
	var lines []string
	for _, ev := range c.history {
		if socket == "" || ev.Socket == socket || ev.Type == "stdout" {
			lines = append(lines, "  "+ev.raw)
		}
	}
	exited, waitErr := c.exited, c.waitErr
	c.mu.Unlock()
	var b strings.Builder
	if len(lines) == 0 {
		b.WriteString("\nreceived: nothing")
	} else {
		b.WriteString("\nreceived:\n" + strings.Join(lines, "\n"))
	}
	if exited {
		fmt.Fprintf(&b, "\nexit: %v", waitErr)
	}
	if s := c.stderr.String(); s != "" {
		b.WriteString("\nstderr:\n" + s)
	}
	return b.String()
}
