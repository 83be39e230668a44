package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// write replaces a file's content in place (the plain editor save).
func write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// saveAtomically writes a temp file beside path and renames it over path,
// as vim, JetBrains IDEs and VS Code's safe save do.
func saveAtomically(t testing.TB, path, content string) {
	t.Helper()
	tmp := path + "___jb_tmp___"
	write(t, tmp, content)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// truncateAndWrite empties the file, then writes it: two events.
func truncateAndWrite(t testing.TB, path, content string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(content); err != nil {
		t.Fatal(err)
	}
}

// until calls event until its reply satisfies ok.
func (c *client) until(event, data string, ok func(f frame) bool) frame {
	c.t.Helper()
	deadline := time.Now().Add(safety)
	for {
		f := c.call(event, data)
		if ok(f) {
			return f
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: still %s after %s", event, f.raw, safety)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func returns(want string) func(frame) bool {
	return func(f frame) bool { return f.err == nil && jsonEqual(string(f.data), want) }
}

func failsWith(code string) func(frame) bool {
	return func(f frame) bool { return f.err != nil && f.err.Code == code }
}

func (s *testServer) generation(t testing.TB) float64 {
	return s.healthz(t)["status"].(map[string]any)["generation"].(float64)
}

// TestReloadEdits: edits, additions, deletions and renames of files and
// exports reach an already-open connection, in both modes, with every save
// pattern; the connection and its id survive.
func TestReloadEdits(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			dir := writeScripts(t, map[string]string{
				"api/greet.js": `export function hello() { return "v1" }` + "\n",
				"api/id.js":    `export function get(socket) { return socket.id }` + "\n",
			})
			srv := startServer(t, "-scripts", dir, "-mode", mode)
			c := dial(t, srv.url)
			id := c.call("api.id.get", "")
			c.ok("api.greet.hello", "", `"v1"`)

			greet := filepath.Join(dir, "api/greet.js")
			write(t, greet, `export function hello() { return "v2" }`+"\n")
			c.until("api.greet.hello", "", returns(`"v2"`))

			saveAtomically(t, greet, `export function hello() { return "v3" }`+"\n")
			c.until("api.greet.hello", "", returns(`"v3"`))

			truncateAndWrite(t, greet, `export function hello() { return "v4" }`+"\n")
			c.until("api.greet.hello", "", returns(`"v4"`))

			// Add an export, then remove it.
			write(t, greet, `export function hello() { return "v4" }`+"\nexport function bye() { return \"bye\" }\n")
			c.until("api.greet.bye", "", returns(`"bye"`))
			write(t, greet, `export function hello() { return "v5" }`+"\n")
			c.until("api.greet.bye", "", failsWith("unknown_event"))

			// Add a file in a new folder, rename it, delete it.
			added := filepath.Join(dir, "admin/tools/x.ts")
			write(t, added, `export const f = (): string => "x"`+"\n")
			c.until("admin.tools.x.f", "", returns(`"x"`))
			renamed := filepath.Join(dir, "admin/tools/y.ts")
			if err := os.Rename(added, renamed); err != nil {
				t.Fatal(err)
			}
			c.until("admin.tools.y.f", "", returns(`"x"`))
			c.fails("admin.tools.x.f", "", "unknown_event")
			if err := os.RemoveAll(filepath.Join(dir, "admin")); err != nil {
				t.Fatal(err)
			}
			c.until("admin.tools.y.f", "", failsWith("unknown_event"))

			if again := c.call("api.id.get", ""); string(again.data) != string(id.data) {
				t.Errorf("socket id changed across reloads: %s then %s", id.data, again.data)
			}
			srv.logsContain(t, "msg=reloaded", "changed=", "added=admin.tools.y.f", "removed=admin.tools.x.f", "build_time=")
		})
	}
}

// TestReloadBuildError: a broken save keeps the previous code serving and
// shows the positioned error in /healthz; the fix clears it.
func TestReloadBuildError(t *testing.T) {
	t.Parallel()
	dir := writeScripts(t, map[string]string{"api/greet.js": `export function hello() { return "good" }` + "\n"})
	srv := startServer(t, "-scripts", dir)
	c := dial(t, srv.url)
	gen := srv.generation(t)
	greet := filepath.Join(dir, "api/greet.js")
	write(t, greet, "export function hello() {\n  return 'broken' +;\n}\n")
	var lastError map[string]any
	eventually(t, "last_error in /healthz", func() bool {
		lastError, _ = srv.healthz(t)["status"].(map[string]any)["last_error"].(map[string]any)
		return lastError != nil
	})
	if msg := lastError["message"].(string); !strings.Contains(msg, "api/greet.js:2:") {
		t.Errorf("last_error %q lacks the position", msg)
	}
	srv.logsContain(t, "reload failed", "build error: ", "api/greet.js:2:")
	c.ok("api.greet.hello", "", `"good"`)
	if g := srv.generation(t); g != gen {
		t.Errorf("generation %v after a failed build, want %v", g, gen)
	}

	write(t, greet, `export function hello() { return "fixed" }`+"\n")
	c.until("api.greet.hello", "", returns(`"fixed"`))
	if status := srv.healthz(t)["status"].(map[string]any); status["last_error"] != nil {
		t.Errorf("last_error not cleared: %v", status["last_error"])
	}
}

// TestReloadIgnoresEditorNoise: swap and backup files trigger no build.
func TestReloadIgnoresEditorNoise(t *testing.T) {
	t.Parallel()
	dir := writeScripts(t, map[string]string{"api/greet.js": `export function hello() { return "v1" }` + "\n"})
	srv := startServer(t, "-scripts", dir)
	gen := srv.generation(t)
	for _, name := range []string{".greet.js.swp", "greet.js~", "4913", ".#greet.js"} {
		write(t, filepath.Join(dir, "api", name), "not a module {")
	}
	time.Sleep(500 * time.Millisecond) // well past the debounce: nothing may happen
	if g := srv.generation(t); g != gen {
		t.Fatalf("editor noise rebuilt the scripts: generation %v -> %v", gen, g)
	}
	if logs := srv.logs.String(); strings.Contains(logs, "reloaded") || strings.Contains(logs, "reload failed") {
		t.Fatalf("editor noise caused a reload:\n%s", srv.logs)
	}
}

// TestReloadNodeModules: editing a package that a script imports reloads.
func TestReloadNodeModules(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, filepath.Join(root, "package.json"), `{"private":true}`)
	pkg := filepath.Join(root, "node_modules/shout/index.js")
	write(t, filepath.Join(root, "node_modules/shout/package.json"), `{"name":"shout","main":"index.js"}`)
	write(t, pkg, `module.exports = (s) => s.toUpperCase() + "!"`)
	write(t, filepath.Join(root, "scripts/api/loud.js"), `import shout from "shout";`+"\nexport function say(socket, d) { return shout(d) }\n")
	srv := startServer(t, "-scripts", filepath.Join(root, "scripts"))
	c := dial(t, srv.url)
	c.ok("api.loud.say", `"hi"`, `"HI!"`)
	write(t, pkg, `module.exports = (s) => s.toUpperCase() + "!!!"`)
	c.until("api.loud.say", `"hi"`, returns(`"HI!!!"`))
}

// TestReloadUnderLoad: requests keep flowing on several connections while
// the scripts are rewritten 50 times: none fails, none is lost, and each
// connection sees versions only move forward.
func TestReloadUnderLoad(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			dir := writeScripts(t, map[string]string{"api/v.js": `export function get() { return 0 }` + "\n"})
			srv := startServer(t, "-scripts", dir, "-mode", mode)
			const conns, versions = 4, 50
			stop := make(chan struct{})
			var wg sync.WaitGroup
			counts := make([]int, conns)
			for i := range conns {
				c := dial(t, srv.url)
				wg.Add(1)
				go func() {
					defer wg.Done()
					last := -1
					for {
						select {
						case <-stop:
							return
						default:
						}
						f := c.call("api.v.get", "")
						var v int
						if f.err != nil || json.Unmarshal(f.data, &v) != nil || v < last || v > versions {
							t.Errorf("connection %d: reply %s after version %d", i, f.raw, last)
							return
						}
						last = v
						counts[i]++
					}
				}()
			}
			// Each version is served before the next is written: 50 swaps
			// of the generation under load.
			file := filepath.Join(dir, "api/v.js")
			probe := dial(t, srv.url)
			for v := 1; v <= versions; v++ {
				if v%2 == 0 {
					saveAtomically(t, file, fmt.Sprintf("export function get() { return %d }\n", v))
				} else {
					write(t, file, fmt.Sprintf("export function get() { return %d }\n", v))
				}
				probe.until("api.v.get", "", returns(fmt.Sprint(v)))
			}
			close(stop)
			wg.Wait()
			if g := srv.generation(t); g != versions+1 {
				t.Errorf("generation %v, want %d: one per rewrite", g, versions+1)
			}
			t.Logf("%s: %v calls per connection during 50 rewrites, generation %v", mode, counts, srv.generation(t))
		})
	}
}

// TestReloadAfterFolderCameBack: when the scripts folder is moved away and
// back, the server keeps reloading. Found in review: it stopped for good.
func TestReloadAfterFolderCameBack(t *testing.T) {
	t.Parallel()
	dir := writeScripts(t, map[string]string{"api/g.js": `export function h() { return 1 }` + "\n"})
	srv := startServer(t, "-scripts", dir)
	c := dial(t, srv.url)
	c.ok("api.g.h", "", "1")
	if err := os.Rename(dir, dir+".bak"); err != nil {
		t.Fatal(err)
	}
	srv.logsContain(t, "reload failed") // the build without the folder
	if err := os.Rename(dir+".bak", dir); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "api/g.js"), `export function h() { return 2 }`+"\n")
	c.until("api.g.h", "", returns("2"))
}
