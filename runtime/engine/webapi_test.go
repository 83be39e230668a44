package engine

import (
	"context"
	"testing"
)

// TestWebGlobalsInHandlers: the web-standard globals (runtime/webapi) are
// there in every VM, synchronous and promise-based alike.
func TestWebGlobalsInHandlers(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"w.js": `
export async function all() {
  const bytes = new TextEncoder().encode("héllo");
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode("abc")));
  const u = new URL("/a?b=1#c", "https://example.test/x/y");
  return {
    len: bytes.length,
    text: new TextDecoder().decode(bytes),
    sha: Array.from(digest.slice(0, 4)),
    href: u.href, b: u.searchParams.get("b"),
    b64: btoa("hi"), back: atob("aGk="),
    uuid: crypto.randomUUID().length,
    clone: structuredClone({m: new Map([[1, 2]])}).m.get(1),
    now: typeof performance.now(),
    micro: await new Promise((r) => queueMicrotask(() => r("ran"))),
  };
}`}, Config{PoolSize: 1})
	o := runCall(t, e, context.Background(), newSocket("s"), "w.all", "")
	want := `{"len":6,"text":"héllo","sha":[186,120,22,191],"href":"https://example.test/a?b=1#c","b":"1","b64":"aGk=","back":"hi","uuid":36,"clone":2,"now":"number","micro":"ran"}`
	if o.err != nil || string(o.res.Data) != want {
		t.Fatalf("got %s, %v\nwant %s", o.res.Data, o.err, want)
	}
}
