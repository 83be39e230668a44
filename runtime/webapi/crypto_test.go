package webapi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// awaitJS runs body as the body of an async function in a fresh runtime
// and returns what it resolves to (String()), or "reject: name: message".
func awaitJS(tb testing.TB, rt *goja.Runtime, body string) string {
	tb.Helper()
	if rt == nil {
		rt = newRuntime(tb)
	}
	src := `(() => { let out; (async () => {` + body + `})().then((v) => { out = {v: String(v)}; }, (e) => { out = {v: "reject: " + e.name + ": " + e.message}; }); return () => out; })()`
	get, err := rt.RunString(src)
	if err != nil {
		tb.Fatalf("run: %v\n%s", err, body)
	}
	fn, _ := goja.AssertFunction(get)
	out, err := fn(goja.Undefined())
	if err != nil {
		tb.Fatal(err)
	}
	if goja.IsUndefined(out) {
		tb.Fatalf("promise still pending: %s", body)
	}
	return out.ToObject(rt).Get("v").String()
}

const hexJS = `const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, "0")).join("");
const utf8 = (s) => new TextEncoder().encode(s);
const rep = (b, n) => new Uint8Array(n).fill(b);
`

func TestDigest(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, body, want string }{
		// FIPS 180 "abc" and empty-string vectors.
		{"sha1 abc", `return hex(await crypto.subtle.digest("SHA-1", utf8("abc")))`, "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{"sha256 abc", `return hex(await crypto.subtle.digest("SHA-256", utf8("abc")))`, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"sha384 abc", `return hex(await crypto.subtle.digest({name: "SHA-384"}, utf8("abc")))`, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"},
		{"sha512 abc", `return hex(await crypto.subtle.digest("sha-512", utf8("abc")))`, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
		{"sha256 empty", `return hex(await crypto.subtle.digest("SHA-256", new ArrayBuffer(0)))`, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"sha256 448 bits", `return hex(await crypto.subtle.digest("SHA-256", utf8("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))`, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
		{"view offset", `const b = utf8("xabcx"); return hex(await crypto.subtle.digest("SHA-1", new DataView(b.buffer, 1, 3)))`, "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{"subarray", `return hex(await crypto.subtle.digest("SHA-1", utf8("xabcx").subarray(1, 4)))`, "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{"result is ArrayBuffer", `const d = await crypto.subtle.digest("SHA-256", utf8("")); return d instanceof ArrayBuffer && d.byteLength === 32`, "true"},
		{"unknown algorithm", `return await crypto.subtle.digest("MD5", utf8("abc"))`, "reject: NotSupportedError: Unrecognized algorithm name"},
		{"not a buffer", `await crypto.subtle.digest("SHA-256", "abc")`, "reject: TypeError: crypto.subtle.digest: argument is not an ArrayBuffer, a typed array or a DataView"},
		{"returns a promise", `const p = crypto.subtle.digest("MD5", utf8("")); p.catch(() => {}); return p instanceof Promise`, "true"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := awaitJS(t, nil, hexJS+tc.body); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestHMAC(t *testing.T) {
	t.Parallel()
	sign := func(hash, key, data string) string {
		return fmt.Sprintf(`const k = await crypto.subtle.importKey("raw", %s, {name: "HMAC", hash: %q}, false, ["sign", "verify"]);
return hex(await crypto.subtle.sign("HMAC", k, %s))`, key, hash, data)
	}
	cases := []struct{ name, body, want string }{
		// RFC 2202 (HMAC-SHA-1) and RFC 4231 (HMAC-SHA-2) test cases 1 and 2.
		{"sha1 case1", sign("SHA-1", "rep(0x0b, 20)", `utf8("Hi There")`), "b617318655057264e28bc0b6fb378c8ef146be00"},
		{"sha1 case2", sign("SHA-1", `utf8("Jefe")`, `utf8("what do ya want for nothing?")`), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
		{"sha256 case1", sign("SHA-256", "rep(0x0b, 20)", `utf8("Hi There")`), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
		{"sha256 case2", sign("SHA-256", `utf8("Jefe")`, `utf8("what do ya want for nothing?")`), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
		{"sha384 case1", sign("SHA-384", "rep(0x0b, 20)", `utf8("Hi There")`), "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6"},
		{"sha512 case1", sign("SHA-512", "rep(0x0b, 20)", `utf8("Hi There")`), "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
		{"sha256 case6 long key", sign("SHA-256", "rep(0xaa, 131)", `utf8("Test Using Larger Than Block-Size Key - Hash Key First")`), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
		{"verify", `const k = await crypto.subtle.importKey("raw", utf8("Jefe"), {name: "HMAC", hash: {name: "SHA-256"}}, false, ["sign", "verify"]);
const d = utf8("what do ya want for nothing?"); const s = await crypto.subtle.sign({name: "HMAC"}, k, d);
const bad = new Uint8Array(s).slice(); bad[0] ^= 1;
return [await crypto.subtle.verify("HMAC", k, s, d), await crypto.subtle.verify("HMAC", k, bad, d), await crypto.subtle.verify("HMAC", k, new Uint8Array(s).subarray(0, 31), d), await crypto.subtle.verify("HMAC", k, s, utf8("x"))].join()`, "true,false,false,false"},
		{"key shape", `const k = await crypto.subtle.importKey("raw", rep(1, 16), {name: "hmac", hash: "sha-256"}, true, ["verify", "verify"]);
return [k instanceof CryptoKey, k.type, k.extractable, k.algorithm.name, k.algorithm.hash.name, k.algorithm.length, k.usages.join("+"), Object.prototype.toString.call(k)].join()`, "true,secret,true,HMAC,SHA-256,128,verify,[object CryptoKey]"},
		{"export raw", `const k = await crypto.subtle.importKey("raw", rep(7, 4), {name: "HMAC", hash: "SHA-1"}, true, ["sign"]); return hex(await crypto.subtle.exportKey("raw", k))`, "07070707"},
		{"export not extractable", `const k = await crypto.subtle.importKey("raw", rep(7, 4), {name: "HMAC", hash: "SHA-1"}, false, ["sign"]); await crypto.subtle.exportKey("raw", k)`, "reject: InvalidAccessError: exportKey: the key is not extractable"},
		{"key data copied", `const raw = utf8("Jefe"); const k = await crypto.subtle.importKey("raw", raw, {name: "HMAC", hash: "SHA-256"}, false, ["sign"]); raw.fill(0);
return hex(await crypto.subtle.sign("HMAC", k, utf8("what do ya want for nothing?")))`, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
		{"sign needs usage", `const k = await crypto.subtle.importKey("raw", rep(1, 4), {name: "HMAC", hash: "SHA-256"}, false, ["verify"]); await crypto.subtle.sign("HMAC", k, utf8("x"))`, `reject: InvalidAccessError: sign: the key does not allow "sign"`},
		{"bad usage", `await crypto.subtle.importKey("raw", rep(1, 4), {name: "HMAC", hash: "SHA-256"}, false, ["encrypt"])`, `reject: SyntaxError: importKey: usage "encrypt" is not valid for HMAC`},
		{"empty usages", `await crypto.subtle.importKey("raw", rep(1, 4), {name: "HMAC", hash: "SHA-256"}, false, [])`, "reject: SyntaxError: importKey: usages must not be empty"},
		{"bad hash", `await crypto.subtle.importKey("raw", rep(1, 4), {name: "HMAC", hash: "MD5"}, false, ["sign"])`, "reject: NotSupportedError: Unrecognized hash algorithm"},
		{"no hash", `await crypto.subtle.importKey("raw", rep(1, 4), {name: "HMAC"}, false, ["sign"])`, "reject: TypeError: importKey: HmacImportParams needs hash"},
		{"jwk", `await crypto.subtle.importKey("jwk", {}, {name: "HMAC", hash: "SHA-256"}, false, ["sign"])`, `reject: NotSupportedError: importKey: format "jwk" is not supported (only "raw")`},
		{"other algorithm", `await crypto.subtle.importKey("raw", rep(1, 16), {name: "AES-GCM"}, false, ["encrypt"])`, "reject: NotSupportedError: importKey: unsupported algorithm (only HMAC)"},
		{"empty key", `await crypto.subtle.importKey("raw", new Uint8Array(0), {name: "HMAC", hash: "SHA-256"}, false, ["sign"])`, "reject: DataError: importKey: empty key data"},
		{"length", `const k = await crypto.subtle.importKey("raw", rep(1, 4), {name: "HMAC", hash: "SHA-256", length: 30}, false, ["sign"]); return k.algorithm.length`, "30"},
		{"bad length", `await crypto.subtle.importKey("raw", rep(1, 4), {name: "HMAC", hash: "SHA-256", length: 24}, false, ["sign"])`, "reject: DataError: importKey: length does not match the key data"},
		{"not a key", `await crypto.subtle.sign("HMAC", {}, utf8("x"))`, "reject: TypeError: sign: key is not a CryptoKey"},
		{"not HMAC", `const k = await crypto.subtle.importKey("raw", rep(1, 4), {name: "HMAC", hash: "SHA-256"}, false, ["sign"]); await crypto.subtle.sign("RSASSA-PKCS1-v1_5", k, utf8("x"))`, "reject: NotSupportedError: sign: unsupported algorithm"},
		{"CryptoKey constructor", `new CryptoKey()`, "reject: TypeError: Illegal constructor"},
		{"unsupported method", `await crypto.subtle.encrypt()`, "reject: NotSupportedError: crypto.subtle.encrypt is not supported"},
		{"generateKey", `const k = await crypto.subtle.generateKey({name: "HMAC", hash: "SHA-512"}, true, ["sign", "verify"]);
const raw = new Uint8Array(await crypto.subtle.exportKey("raw", k)); const d = utf8("m"); const s = await crypto.subtle.sign("HMAC", k, d);
return [k.algorithm.length, raw.length, raw.some((x) => x !== 0), await crypto.subtle.verify("HMAC", k, s, d), s.byteLength].join()`, "1024,128,true,true,64"},
		{"generateKey length", `const k = await crypto.subtle.generateKey({name: "HMAC", hash: "SHA-256", length: 12}, true, ["sign"]);
const raw = new Uint8Array(await crypto.subtle.exportKey("raw", k)); return [k.algorithm.length, raw.length, raw[1] & 0x0f].join()`, "12,2,0"},
		{"generateKey no usages", `await crypto.subtle.generateKey({name: "HMAC", hash: "SHA-256"}, true, [])`, "reject: SyntaxError: generateKey: usages must not be empty"},
		{"generateKey other", `await crypto.subtle.generateKey({name: "AES-GCM", length: 256}, true, ["encrypt"])`, "reject: NotSupportedError: generateKey: unsupported algorithm (only HMAC)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := awaitJS(t, nil, hexJS+tc.body); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRandom(t *testing.T) {
	dom := func(call string) string {
		return `try { ` + call + `; "no" } catch (e) { e.name + "/" + (e instanceof DOMException) }`
	}
	runCases(t, []jsCase{
		{"same array", `const a = new Uint8Array(16); crypto.getRandomValues(a) === a`, true},
		{"fills", `const a = new Uint32Array(16); crypto.getRandomValues(a); a.some((x) => x !== 0)`, true},
		{"only the view", `const b = new Uint8Array(64); crypto.getRandomValues(b.subarray(16, 48)); b.subarray(0, 16).every((x) => x === 0) && b.subarray(48).every((x) => x === 0) && b.subarray(16, 48).some((x) => x !== 0)`, true},
		{"quota ok", `crypto.getRandomValues(new Uint8Array(65536)).length`, int64(65536)},
		{"quota ok Uint32", `crypto.getRandomValues(new Uint32Array(16384)).length`, int64(16384)},
		{"BigInt64", `crypto.getRandomValues(new BigInt64Array(2)).length`, int64(2)},
		{"quota exceeded", dom(`crypto.getRandomValues(new Uint8Array(65537))`), "QuotaExceededError/true"},
		{"float", dom(`crypto.getRandomValues(new Float64Array(2))`), "TypeMismatchError/true"},
		{"DataView", dom(`crypto.getRandomValues(new DataView(new ArrayBuffer(2)))`), "TypeMismatchError/true"},
		{"ArrayBuffer", dom(`crypto.getRandomValues(new ArrayBuffer(2))`), "TypeMismatchError/true"},
		{"array", dom(`crypto.getRandomValues([1, 2])`), "TypeMismatchError/true"},
		{"uuid format", `const re = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/; Array.from({length: 50}, () => crypto.randomUUID()).every((u) => re.test(u))`, true},
		{"uuid unique", `new Set(Array.from({length: 100}, () => crypto.randomUUID())).size`, int64(100)},
		{"crypto shape", `[crypto instanceof Crypto, crypto.subtle instanceof SubtleCrypto, crypto.subtle === crypto.subtle, Object.prototype.toString.call(crypto)].join()`, "true,true,true,[object Crypto]"},
	})
}

func TestInputCap(t *testing.T) {
	t.Parallel()
	got := awaitJS(t, nil, fmt.Sprintf(`await crypto.subtle.digest("SHA-256", new Uint8Array(%d))`, MaxInputBytes+1))
	if !strings.HasPrefix(got, "reject: RangeError: crypto.subtle.digest:") {
		t.Fatalf("digest over the cap: %q", got)
	}
	got = awaitJS(t, nil, fmt.Sprintf(`return (await crypto.subtle.digest("SHA-256", new Uint8Array(%d))).byteLength`, MaxInputBytes))
	if got != "32" {
		t.Fatalf("digest at the cap: %q", got)
	}
}
