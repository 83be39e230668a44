package webapi

import "testing"

func TestStructuredClone(t *testing.T) {
	fails := func(expr string) string {
		return `try { structuredClone(` + expr + `); "no" } catch (e) { e.name + "/" + (e instanceof DOMException) + "/" + e.code }`
	}
	runCases(t, []jsCase{
		{"primitives", `const v = [1, "s", true, null, undefined, 10n, NaN]; const c = structuredClone(v); c.every((x, i) => Object.is(x, v[i])) && c !== v`, true},
		{"negative zero", `Object.is(structuredClone(-0), -0)`, true},
		{"plain object", `const o = {a: 1, b: {c: [1, 2]}}; const c = structuredClone(o); c.b !== o.b && JSON.stringify(c) === JSON.stringify(o)`, true},
		{"cycle", `const o = {}; o.self = o; const c = structuredClone(o); c.self === c && c !== o`, true},
		{"array cycle", `const a = [1]; a.push(a); const c = structuredClone(a); c[1] === c`, true},
		{"shared reference", `const s = {x: 1}; const c = structuredClone({a: s, b: s}); c.a === c.b && c.a !== s`, true},
		{"array holes and props", `const a = [1, , 3]; a.extra = "e"; const c = structuredClone(a); Array.isArray(c) && c.length === 3 && !(1 in c) && c.extra === "e"`, true},
		{"date", `const d = new Date(1234567890123); const c = structuredClone(d); c instanceof Date && c !== d && c.getTime() === 1234567890123`, true},
		{"regexp", `const r = /a+b/gi; r.lastIndex = 3; const c = structuredClone(r); c instanceof RegExp && c !== r && c.source === "a+b" && c.flags === "gi" && c.lastIndex === 0`, true},
		{"map", `const k = {}; const m = new Map([[k, "v"], ["x", k]]); const c = structuredClone(m); const [ck] = c.keys(); c instanceof Map && ck !== k && c.get(ck) === "v" && c.get("x") === ck`, true},
		{"map cycle", `const m = new Map(); m.set("self", m); const c = structuredClone(m); c.get("self") === c`, true},
		{"set", `const o = {}; const s = new Set([1, o, o]); const c = structuredClone(s); c instanceof Set && c.size === 2 && !c.has(o)`, true},
		{"arraybuffer", `const b = new Uint8Array([1, 2, 3]).buffer; const c = structuredClone(b); new Uint8Array(b)[0] = 9; c instanceof ArrayBuffer && c !== b && new Uint8Array(c).join() === "1,2,3"`, true},
		{"typed array", `const a = new Int16Array([1, -2, 3]); const c = structuredClone(a); c instanceof Int16Array && c !== a && c.join() === "1,-2,3"`, true},
		{"typed array view", `const b = new ArrayBuffer(8); const v = new Uint8Array(b, 2, 4); v.set([1, 2, 3, 4]); const c = structuredClone(v); c.byteOffset === 2 && c.length === 4 && c.buffer.byteLength === 8 && c.join() === "1,2,3,4"`, true},
		{"views share buffer", `const b = new ArrayBuffer(4); const c = structuredClone({x: new Uint8Array(b), y: new Uint16Array(b)}); c.x.buffer === c.y.buffer && c.x.buffer !== b`, true},
		{"bigint array", `structuredClone(new BigUint64Array([5n]))[0] === 5n`, true},
		{"dataview", `const d = new DataView(new ArrayBuffer(4), 1, 2); d.setUint8(0, 7); const c = structuredClone(d); c instanceof DataView && c.byteOffset === 1 && c.byteLength === 2 && c.getUint8(0) === 7`, true},
		{"wrappers", `const c = structuredClone([Object(true), Object(2), Object("s"), Object(3n)]); typeof c[0] === "object" && c[0].valueOf() === true && c[1].valueOf() === 2 && c[2].valueOf() === "s" && c[3].valueOf() === 3n`, true},
		{"error", `const e = new TypeError("bad"); const c = structuredClone(e); c instanceof TypeError && c !== e && c.message === "bad" && c.name === "TypeError"`, true},
		{"error custom name", `const e = new Error("m"); e.name = "Custom"; const c = structuredClone(e); c.name === "Error" && c.message === "m"`, true},
		{"error cause", `const c = structuredClone(new Error("m", {cause: {x: 1}})); c.cause.x === 1`, true},
		{"class instance", `class P { constructor() { this.x = 1; } m() {} }; const c = structuredClone(new P()); Object.getPrototypeOf(c) === Object.prototype && c.x === 1`, true},
		{"getter invoked", `const c = structuredClone({get g() { return 5; }}); Object.getOwnPropertyDescriptor(c, "g").value === 5`, true},
		{"non-enumerable skipped", `const o = {}; Object.defineProperty(o, "h", {value: 1, enumerable: false}); "h" in structuredClone(o)`, false},
		{"symbol keys skipped", `const o = {[Symbol("s")]: 1, a: 2}; const c = structuredClone(o); Object.getOwnPropertySymbols(c).length === 0 && c.a === 2`, true},
		{"__proto__ key", `const o = JSON.parse('{"__proto__": {"x": 1}}'); const c = structuredClone(o); Object.getPrototypeOf(c) === Object.prototype && c.__proto__.x === 1 && Object.keys(c).join() === "__proto__"`, true},
		{"function", fails(`() => 1`), "DataCloneError/true/25"},
		{"function property", fails(`{f() {}}`), "DataCloneError/true/25"},
		{"symbol", fails(`Symbol("x")`), "DataCloneError/true/25"},
		{"symbol in map", fails(`new Map([[1, Symbol()]])`), "DataCloneError/true/25"},
		{"proxy", fails(`new Proxy({}, {})`), "DataCloneError/true/25"},
		{"weakmap", fails(`new WeakMap()`), "DataCloneError/true/25"},
		{"promise", fails(`Promise.resolve()`), "DataCloneError/true/25"},
		{"symbol wrapper", fails(`Object(Symbol())`), "DataCloneError/true/25"},
		{"transfer", `const b = new Uint8Array([1, 2, 3]).buffer; const c = structuredClone({b, v: new Uint8Array(b, 1)}, {transfer: [b]}); [b.byteLength, c.b.byteLength, c.v.buffer === c.b, c.v.join()].join()`, "0,3,true,2,3"},
		{"transfer not in value", `const b = new ArrayBuffer(2); structuredClone(1, {transfer: [b]}); b.byteLength`, int64(0)},
		{"transfer twice", fails(`1, {transfer: [globalThis.b2 = new ArrayBuffer(1), globalThis.b2]}`), "DataCloneError/true/25"},
		{"transfer detached", fails(`1, (() => { const b = new ArrayBuffer(1); structuredClone(1, {transfer: [b]}); return {transfer: [b]}; })()`), "DataCloneError/true/25"},
		{"transfer non-buffer", fails(`1, {transfer: [{}]}`), "DataCloneError/true/25"},
		{"failed clone keeps buffer", `const b = new ArrayBuffer(2); try { structuredClone({b, f() {}}, {transfer: [b]}); } catch {} b.byteLength`, int64(2)},
		{"empty transfer", `structuredClone(1, {transfer: []})`, int64(1)},
		{"no argument", `try { structuredClone(); "no" } catch (e) { e instanceof TypeError }`, true},
	})
}
