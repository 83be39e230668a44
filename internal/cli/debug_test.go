package cli

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a log destination safe for the debug server's goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestStartDebug: with -debug-addr the profiles are served on their own
// listener, which stop closes; without it nothing listens; an address that
// cannot be listened on is an error that names the flag.
func TestStartDebug(t *testing.T) {
	t.Parallel()
	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))

	off := HostFlags{}
	stop, err := off.StartDebug(log)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if logs.String() != "" {
		t.Fatalf("without -debug-addr: logged %q", logs)
	}

	on := HostFlags{DebugAddr: "127.0.0.1:0"}
	stop, err = on.StartDebug(log)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`msg="debug listening" addr=(\S+)`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no listening line in %q", logs)
	}
	url := "http://" + m[1] + "/debug/pprof/"
	for path, want := range map[string]string{"": "goroutine", "heap?debug=1": "heap profile", "cmdline": "cli.test"} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, want 200 with %q in %.200s", path, resp.StatusCode, want, body)
		}
	}
	stop()
	if _, err := http.Get(url); err == nil {
		t.Fatal("the debug listener still answers after stop")
	}

	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	busy := HostFlags{DebugAddr: taken.Addr().String()}
	if _, err := busy.StartDebug(log); err == nil || !strings.Contains(err.Error(), "-debug-addr") {
		t.Fatalf("an address in use: err = %v, want one naming -debug-addr", err)
	}
}
