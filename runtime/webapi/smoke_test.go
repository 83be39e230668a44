package webapi

import "testing"

func TestSmoke(t *testing.T) {
	runCases(t, []jsCase{
		{"encoder", `new TextDecoder().decode(new TextEncoder().encode("héllo €"))`, "héllo €"},
		{"url", `new URL("HTTP://User:Pw@EXample.com:80/a/./b/../c?x=1 2#h").href`, "http://User:Pw@example.com/a/c?x=1%202#h"},
		{"params", `const u = new URL("https://a.b/?x=1&y=2"); u.searchParams.append("z", "a b"); u.href`, "https://a.b/?x=1&y=2&z=a+b"},
		{"btoa", `btoa("hello") + atob("aGVsbG8")`, "aGVsbG8=hello"},
		{"uuid", `/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID())`, true},
		{"clone", `const o = {a: [1, {b: 2}]}; o.self = o; const c = structuredClone(o); c !== o && c.self === c && c.a[1].b === 2`, true},
		{"micro", `const l = []; queueMicrotask(() => l.push(2)); l.push(1); l`, "1,2"},
		{"perf", `typeof performance.now() === "number" && performance.timeOrigin > 0`, true},
		{"dom", `try { atob("!") } catch (e) { e.name + " " + (e instanceof DOMException) + " " + e.code }`, "InvalidCharacterError true 5"},
	})
}
