package sioclient

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// ReferenceServer is the path, relative to the module root, of the
// reference Socket.IO server (npm socket.io) configured for the official
// suite.
const ReferenceServer = "testdata/socketio/reference-server.mjs"

// referenceStart bounds how long the reference server may take to listen.
const referenceStart = 30 * time.Second

// StartReference starts the reference Socket.IO server on a free port of
// 127.0.0.1 and returns its base URL, "http://127.0.0.1:PORT". The server
// stops when the test ends (t.Cleanup). Without node or the npm package
// socket.io the test is skipped (failed when CI=true), as [Node] does.
func StartReference(tb testing.TB) string {
	tb.Helper()
	node := Node(tb, "socket.io")
	root := RepoRoot(tb)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, node, filepath.Join(root, ReferenceServer), "0")
	cmd.Dir = root
	cmd.WaitDelay = 5 * time.Second
	stdin, err := cmd.StdinPipe() // closing it stops the server
	if err != nil {
		cancel()
		tb.Fatalf("sioclient: reference server: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		tb.Fatalf("sioclient: reference server: %v", err)
	}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		cancel()
		tb.Fatalf("sioclient: start reference server: %v", err)
	}
	exited := make(chan struct{}) // closed once the process has been waited for
	var waitErr error
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			ready <- sc.Text()
		}
		for sc.Scan() { // keep draining so the server never blocks on stdout
		}
		waitErr = cmd.Wait()
		close(exited)
	}()
	tb.Cleanup(func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cancel()
			<-exited
		}
		cancel()
	})

	select {
	case line := <-ready:
		var msg struct {
			Port int `json:"port"`
		}
		if err := json.Unmarshal([]byte(line), &msg); err != nil || msg.Port == 0 {
			tb.Fatalf("sioclient: reference server said %q, want {\"port\": N}", line)
		}
		return fmt.Sprintf("http://127.0.0.1:%d", msg.Port)
	case <-exited:
		tb.Fatalf("sioclient: reference server exited before listening: %v; stderr: %s", waitErr, stderr.String())
	case <-time.After(referenceStart):
		tb.Fatalf("sioclient: reference server did not listen within %v; stderr: %s", referenceStart, stderr.String())
	}
	return ""
}
