package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestShippedChatWebhook: with scripts/_lib/webhook.ts naming a URL, each
// message said in a room is POSTed there as JSON (through fetch); the
// shipped file leaves it off.
func TestShippedChatWebhook(t *testing.T) {
	t.Parallel()
	got := make(chan map[string]any, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		b, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(b, &m) != nil {
			t.Errorf("webhook got %s %q %s", r.Method, r.Header.Get("Content-Type"), b)
		}
		got <- m
	}))
	t.Cleanup(hook.Close)

	// The shipped chat room and what it imports, with the webhook on.
	dir := t.TempDir()
	for _, p := range []string{"chat", "_lib", "_migrations", "_connection.ts"} {
		copyTree(t, filepath.Join("..", "..", "scripts", p), filepath.Join(dir, p))
	}
	conf := filepath.Join(dir, "_lib", "webhook.ts")
	src, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	shipped := `export const WEBHOOK_URL: string = "";`
	if !strings.Contains(string(src), shipped) {
		t.Fatalf("scripts/_lib/webhook.ts does not ship with the webhook off (%s)", shipped)
	}
	on := strings.Replace(string(src), shipped, `export const WEBHOOK_URL: string = "`+hook.URL+`/chat";`, 1)
	if err := os.WriteFile(conf, []byte(on), 0o644); err != nil {
		t.Fatal(err)
	}

	srv := startServer(t, "-scripts", dir, "-watch=false")
	ada := dial(t, srv.url+"?name=Ada")
	ada.ok("chat.room.join", `{"room":"lobby"}`, `{"room":"lobby","members":1}`)
	if f := ada.call("chat.room.say", `{"room":"lobby","text":"hi hook"}`); f.err != nil {
		t.Fatalf("say: %s", f.raw)
	}
	select {
	case m := <-got:
		if m["room"] != "lobby" || m["from"] != "Ada" || m["text"] != "hi hook" || m["at"] == nil {
			t.Fatalf("webhook body %v", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the webhook got nothing")
	}
}

// copyTree copies the file or folder src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
