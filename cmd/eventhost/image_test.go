package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The container image cannot be built here with its real base images (no
// registry but Debian's, Go's and npm's). These tests run what can run:
// .ci/image-steps.sh executes the Dockerfile's own COPY and RUN steps on the
// host and assembles the image's tree, whose binary must then serve with the
// image's ENV as the container would. With EVENTHOST_TEST_PODMAN=1 the same
// tree is also built into a podman image FROM scratch and run.

// imageBuildBound bounds the steps: npm ci and a cold non-race build of the
// whole binary on two shared cores. It is not a speed assertion.
const imageBuildBound = 10 * time.Minute

// buildImageTree runs .ci/image-steps.sh into a temporary folder and returns
// it; extra is passed after the folder. It skips when a tool is missing.
func buildImageTree(t *testing.T, extra ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("image steps: not with -short")
	}
	for _, tool := range []string{"bash", "git", "go", "node", "npm", "make"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("image steps: %s not installed", tool)
		}
	}
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), imageBuildBound)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{filepath.Join("..", "..", ".ci", "image-steps.sh"), out}, extra...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("image-steps.sh: %v\n%s", err, b)
	}
	return out
}

// imageEnv reads the ENV that image-steps.sh took from the Dockerfile, with
// the image's /app and /data moved under tree.
func imageEnv(t *testing.T, out string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, "image.env"))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	tree := filepath.Join(out, "rootfs")
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("image.env: %q", line)
		}
		if strings.HasPrefix(v, "/app/") || strings.HasPrefix(v, "/data/") {
			v = tree + v
		}
		env[k] = v
	}
	return env
}

// TestImageTree: the tree the Dockerfile's steps make holds the binary, the
// scripts, their npm packages and the data folder; under the image's ENV
// (-watch=false, JSON logs, the SQLite file in /data) its binary serves,
// its healthcheck subcommand passes, an event round-trips, the chat room
// writes its database under /data, and SIGTERM ends it with 0.
func TestImageTree(t *testing.T) {
	// Not parallel: it runs before the package's parallel tests, whose
	// timings (the Socket.IO heartbeat of 200 ms) its CPU would disturb.
	out := buildImageTree(t)
	tree := filepath.Join(out, "rootfs")
	for _, p := range []string{"app/eventhost", "app/scripts/api/hello.js", "app/node_modules/lodash/package.json", "app/package-lock.json", "data"} {
		if _, err := os.Stat(filepath.Join(tree, p)); err != nil {
			t.Errorf("tree lacks %s: %v", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(tree, "app/node_modules/typescript")); err == nil {
		t.Error("tree holds typescript: the dev packages were not pruned")
	}
	env := imageEnv(t, out)
	if env["EVENTHOST_WATCH"] != "false" {
		t.Errorf("image ENV EVENTHOST_WATCH=%q, want false", env["EVENTHOST_WATCH"])
	}
	env["EVENTHOST_ADDR"] = "127.0.0.1:0"
	bin := filepath.Join(tree, "app", "eventhost")

	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	srv := exec.CommandContext(ctx, bin, "serve") // the image's ENTRYPOINT and CMD
	srv.Dir = filepath.Join(tree, "app")          // its WORKDIR
	srv.Env = []string{"PATH=/usr/bin:/bin"}
	for k, v := range env {
		srv.Env = append(srv.Env, k+"="+v)
	}
	logs, err := srv.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	lines := make(chan map[string]any, 100)
	go func() {
		sc := bufio.NewScanner(logs)
		for sc.Scan() {
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) != nil {
				rec = map[string]any{"msg": "not JSON", "line": sc.Text()}
			}
			select {
			case lines <- rec:
			default:
			}
		}
		close(lines)
		exited <- srv.Wait()
	}()
	var addr string
	for addr == "" {
		rec, ok := <-lines
		if !ok {
			t.Fatalf("the server ended before listening: %v", <-exited)
		}
		if rec["msg"] == "not JSON" {
			t.Errorf("a log line that is not JSON (EVENTHOST_LOG_FORMAT=json): %s", rec["line"])
		}
		if rec["msg"] == "listening" {
			addr, _ = rec["addr"].(string)
			if rec["watch"] == true {
				t.Errorf("listening with watch on: %v", rec)
			}
		}
	}
	go func() { // keep draining the log so the server never blocks on it
		for range lines {
		}
	}()

	tool := func(args ...string) (string, error) {
		c := exec.CommandContext(ctx, bin, args...)
		c.Env = []string{"EVENTHOST_ADDR=" + addr}
		b, err := c.CombinedOutput()
		return strings.TrimSpace(string(b)), err
	}
	if got, err := tool("healthcheck"); err != nil || got != "ok" {
		t.Errorf("healthcheck: %q, %v", got, err)
	}
	ws := "ws://" + addr + "/ws"
	if got, err := tool("call", "-url", ws, "api.hello.greeting", `{"name":"Ada"}`); err != nil || !strings.Contains(got, "Ada") {
		t.Errorf("call api.hello.greeting: %q, %v", got, err)
	}
	// The chat room, on one connection (a member must join before it speaks).
	c := dial(t, ws)
	for _, step := range []struct{ event, data string }{
		{"chat.room.join", `{"room":"image"}`},
		{"chat.room.say", `{"room":"image","text":"stored under /data"}`},
	} {
		if f := c.call(step.event, step.data); f.err != nil {
			t.Errorf("%s: %v", step.event, f.err)
		}
	}
	if f := c.call("chat.room.history", `{"room":"image"}`); f.err != nil || !strings.Contains(string(f.data), "stored under /data") {
		t.Errorf("chat.room.history: %s, %v", f.data, f.err)
	}
	if _, err := os.Stat(filepath.Join(tree, "data", "eventhost.db")); err != nil {
		t.Errorf("no SQLite file under the data folder: %v", err)
	}

	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-exited; err != nil {
		t.Errorf("after SIGTERM: %v, want exit 0", err)
	}
}

// TestImagePodman builds the tree into a podman image FROM scratch with the
// final stage's metadata and runs it: HEALTHCHECK, an event from outside, the
// nonroot user writing the named data volume, a scripts folder mounted over
// /app/scripts, and a clean stop. Opt-in (EVENTHOST_TEST_PODMAN=1): podman
// is not part of the project's set-up, and on this sandbox it needs
// EVENTHOST_TEST_PODMAN_FLAGS (docs/operations.md says which).
func TestImagePodman(t *testing.T) {
	if os.Getenv("EVENTHOST_TEST_PODMAN") != "1" {
		t.Skip("podman image: set EVENTHOST_TEST_PODMAN=1 to run")
	}
	if _, err := exec.LookPath("podman"); err != nil {
		t.Skip("podman image: podman not installed")
	}
	tag := fmt.Sprintf("localhost/eventhost-test:%d", os.Getpid())
	buildImageTree(t, "--podman", tag)
	ctx, cancel := context.WithTimeout(context.Background(), 2*safety)
	defer cancel()
	podman := func(args ...string) (string, error) {
		b, err := exec.CommandContext(ctx, "podman", args...).CombinedOutput()
		return strings.TrimSpace(string(b)), err
	}
	name := strings.NewReplacer("/", "-", ":", "-").Replace(tag)
	volume := name + "-data"
	t.Cleanup(func() { // after ctx has ended: a context of its own
		cctx, ccancel := context.WithTimeout(context.Background(), safety)
		defer ccancel()
		for _, args := range [][]string{{"rm", "-f", name}, {"volume", "rm", "-f", volume}, {"rmi", "-f", tag}} {
			if b, err := exec.CommandContext(cctx, "podman", args...).CombinedOutput(); err != nil {
				t.Logf("cleanup: podman %v: %v\n%s", args, err, b)
			}
		}
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // the container's server takes the port (host network: loopback only)
	scripts := writeScripts(t, map[string]string{"api/mounted.js": "export function ping() { return 'pong from the volume' }\n"})
	args := []string{"run", "-d", "--name", name, "--network", "host"}
	args = append(args, strings.Fields(os.Getenv("EVENTHOST_TEST_PODMAN_FLAGS"))...)
	args = append(args, "-e", "EVENTHOST_ADDR="+addr, "-v", volume+":/data", "-v", scripts+":/app/scripts:ro", tag)
	if got, err := podman(args...); err != nil {
		t.Fatalf("podman run: %v\n%s", err, got)
	}
	var healthy bool
	for deadline := time.Now().Add(safety); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if _, err := podman("healthcheck", "run", name); err == nil {
			healthy = true
			break
		}
	}
	if !healthy {
		got, _ := podman("logs", name)
		t.Fatalf("the container's HEALTHCHECK never passed; logs:\n%s", got)
	}
	var reply strings.Builder
	err = callCommand(ctx, []string{"-url", "ws://" + addr + "/ws", "api.mounted.ping"}, &reply, io.Discard)
	if err != nil || !strings.Contains(reply.String(), "pong from the volume") {
		t.Errorf("call api.mounted.ping: %q, %v", reply.String(), err)
	}
	if got, err := podman("inspect", "-f", "{{.Config.User}}", name); err != nil || got != "65532:65532" {
		t.Errorf("user %q, %v; want 65532:65532", got, err)
	}
	if got, err := podman("stop", "-t", "15", name); err != nil {
		t.Errorf("podman stop: %v\n%s", err, got)
	}
	if got, err := podman("inspect", "-f", "{{.State.ExitCode}}", name); err != nil || got != "0" {
		logs, _ := podman("logs", name)
		t.Errorf("exit code %q, %v; want 0; logs:\n%s", got, err, logs)
	}
}
