package webapi

import (
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
	"github.com/dop251/goja_nodejs/require"
)

// TestHostileArguments feeds the natives what scripts can: wrong types,
// wrong receivers, missing arguments. Each must throw a JS error (a Go
// panic inside a native would take the server's VM down).
func TestHostileArguments(t *testing.T) {
	t.Parallel()
	calls := []string{
		`new TextDecoder().decode(null)`,
		`new TextDecoder().decode(5)`,
		`TextDecoder.prototype.decode.call({}, new Uint8Array(1))`,
		`new TextDecoder("utf-8", {get fatal() { throw new Error("getter"); }})`,
		`new TextEncoder().encodeInto("x")`,
		`new TextEncoder().encodeInto("x", {})`,
		`new URL(Symbol())`,
		`new URL("http://a/", Symbol())`,
		`new URL("x", "not a base")`,
		`URLSearchParams.prototype.get.call({}, "a")`,
		`new URLSearchParams({toString: null, [Symbol.iterator]: 5})`,
		`new URLSearchParams([[Symbol(), "a"]])`,
		`Object.getOwnPropertyDescriptor(URL.prototype, "search").set.call({}, "x")`,
		`crypto.getRandomValues()`,
		`crypto.getRandomValues(null)`,
		`crypto.getRandomValues(new Proxy(new Uint8Array(4), {}))`,
		`Crypto.prototype.getRandomValues.call(null, 5)`,
		`new Crypto()`,
		`new SubtleCrypto()`,
		`structuredClone(new Proxy(function () {}, {}))`,
		`structuredClone({get x() { throw new Error("getter"); }})`,
		`structuredClone(1, 5)`,
		`btoa(Symbol())`,
		`atob({toString() { throw new Error("toString"); }})`,
		`queueMicrotask()`,
		`new DOMException(Symbol())`,
	}
	for _, c := range calls {
		rt := newRuntime(t)
		_, err := rt.RunString(c)
		var ex *goja.Exception
		if err == nil || !errorsAs(err, &ex) {
			t.Errorf("%s: want a thrown JS error, got %v", c, err)
		}
	}
	// The same through promises: every subtle method rejects.
	for _, c := range []string{
		`await crypto.subtle.digest()`,
		`await crypto.subtle.digest("SHA-256")`,
		`await crypto.subtle.digest({}, new Uint8Array(1))`,
		`await crypto.subtle.importKey("raw", null, {name: "HMAC", hash: "SHA-256"}, false, ["sign"])`,
		`await crypto.subtle.importKey("raw", new Uint8Array(1), {name: "HMAC", hash: "SHA-256"}, false, 5)`,
		`await crypto.subtle.sign("HMAC", null, new Uint8Array(1))`,
		`const k = await crypto.subtle.importKey("raw", new Uint8Array(1), {name: "HMAC", hash: "SHA-256"}, false, ["sign", "verify"]); await crypto.subtle.sign("HMAC", k, null)`,
		`const k = await crypto.subtle.importKey("raw", new Uint8Array(1), {name: "HMAC", hash: "SHA-256"}, false, ["sign", "verify"]); await crypto.subtle.verify("HMAC", k, 5, new Uint8Array(1))`,
		`await crypto.subtle.exportKey("raw", {})`,
	} {
		if got := awaitJS(t, nil, c); !strings.HasPrefix(got, "reject: ") {
			t.Errorf("%s: want a rejection, got %q", c, got)
		}
	}
}

// TestNodeBuffer checks that a goja_nodejs Buffer (a Uint8Array) is a
// BufferSource, as the engine's scripts have it.
func TestNodeBuffer(t *testing.T) {
	t.Parallel()
	rt := goja.New()
	require.NewRegistry().Enable(rt)
	buffer.Enable(rt)
	if err := Install(rt); err != nil {
		t.Fatal(err)
	}
	got := awaitJS(t, rt, hexJS+`const b = Buffer.from("xabcx").subarray(1, 4);
const d = hex(await crypto.subtle.digest("SHA-1", b));
return [new TextDecoder().decode(b), d, structuredClone(b) instanceof Uint8Array, crypto.getRandomValues(Buffer.alloc(4)).length].join()`)
	if want := "abc,a9993e364706816aba3e25717850c26c9cd0d89d,true,4"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
