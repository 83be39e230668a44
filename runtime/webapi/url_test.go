package webapi

import (
	"encoding/json"
	"testing"

	"github.com/dop251/goja"
)

// urlCase is a WHATWG URL parse: input, base and the resulting href, or
// failure when href is "".
type urlCase struct {
	input, base, href string
}

func TestURLParse(t *testing.T) {
	t.Parallel()
	rfc := "http://a/b/c/d;p?q"
	cases := []urlCase{
		// RFC 3986 section 5.4 reference resolution, as WHATWG keeps it.
		{"g", rfc, "http://a/b/c/g"},
		{"./g", rfc, "http://a/b/c/g"},
		{"g/", rfc, "http://a/b/c/g/"},
		{"/g", rfc, "http://a/g"},
		{"//g", rfc, "http://g/"},
		{"?y", rfc, "http://a/b/c/d;p?y"},
		{"g?y", rfc, "http://a/b/c/g?y"},
		{"#s", rfc, "http://a/b/c/d;p?q#s"},
		{"g#s", rfc, "http://a/b/c/g#s"},
		{";x", rfc, "http://a/b/c/;x"},
		{"", rfc, "http://a/b/c/d;p?q"},
		{".", rfc, "http://a/b/c/"},
		{"..", rfc, "http://a/b/"},
		{"../g", rfc, "http://a/b/g"},
		{"../..", rfc, "http://a/"},
		{"../../../g", rfc, "http://a/g"},
		{"/./g", rfc, "http://a/g"},
		{"g.", rfc, "http://a/b/c/g."},
		{"g..", rfc, "http://a/b/c/g.."},
		{"./g/.", rfc, "http://a/b/c/g/"},
		{"g/../h", rfc, "http://a/b/c/h"},
		// Special-scheme leniencies.
		{"HTTP://EXAMPLE.COM/", "", "http://example.com/"},
		{"  http://example.com/  ", "", "http://example.com/"},
		{"http://ex\tam\nple.com/", "", "http://example.com/"},
		{"http:\\\\example.com\\foo\\bar", "", "http://example.com/foo/bar"},
		{"http:example.com/", "", "http://example.com/"},
		{"https:///example.com", "", "https://example.com/"},
		{"http://example.com", "", "http://example.com/"},
		{"http://example.com/a/%2e/b/%2E%2e/c", "", "http://example.com/a/c"},
		{"http://example.com:80/", "", "http://example.com/"},
		{"https://example.com:443/", "", "https://example.com/"},
		{"http://example.com:0080/", "", "http://example.com/"},
		{"http://example.com:8080/", "", "http://example.com:8080/"},
		{"ws://example.com:80/", "", "ws://example.com/"},
		{"http://example.com:/", "", "http://example.com/"},
		// Hosts.
		{"http://0x7f.1/", "", "http://127.0.0.1/"},
		{"http://2130706433/", "", "http://127.0.0.1/"},
		{"http://127.1/", "", "http://127.0.0.1/"},
		{"http://0177.0.0.1/", "", "http://127.0.0.1/"},
		{"http://192.168.0.1./", "", "http://192.168.0.1/"},
		{"http://[0:0:0:0:0:0:0:1]/", "", "http://[::1]/"},
		{"http://[::FFFF:192.168.0.1]:81/", "", "http://[::ffff:c0a8:1]:81/"},
		{"http://[1:0:0:2:0:0:0:3]/", "", "http://[1:0:0:2::3]/"},
		{"http://[1:0::]/", "", "http://[1::]/"},
		{"http://%65xample.com/", "", "http://example.com/"},
		{"https://münchen.de/", "", "https://xn--mnchen-3ya.de/"},
		{"https://例え.テスト/", "", "https://xn--r8jz45g.xn--zckzah/"},
		{"http://user:pa ss@example.com/", "", "http://user:pa%20ss@example.com/"},
		{"http://@example.com/", "", "http://example.com/"},
		{"http://user@host@example.com/", "", "http://user%40host@example.com/"},
		{"http://:pw@example.com/", "", "http://:pw@example.com/"},
		// Percent-encoding per component.
		{"http://a/ü?ü#ü", "", "http://a/%C3%BC?%C3%BC#%C3%BC"},
		{"http://a/a b?c d#e f", "", "http://a/a%20b?c%20d#e%20f"},
		{"http://a/?'", "", "http://a/?%27"},
		{"foo://a/?'", "", "foo://a/?'"},
		{"http://a/%7Efoo/%zz", "", "http://a/%7Efoo/%zz"},
		{"http://a/\"<>`{}", "", "http://a/%22%3C%3E%60%7B%7D"},
		{"http://a/#\"<>`", "", "http://a/#%22%3C%3E%60"},
		// Non-special schemes and opaque paths.
		{"mailto:User@Example.com", "", "mailto:User@Example.com"},
		{"data:text/plain,hello world", "", "data:text/plain,hello world"},
		{"javascript:alert(1)", "", "javascript:alert(1)"},
		{"foo://Host/a/../b", "", "foo://Host/b"},
		{"foo://", "", "foo://"},
		{"foo:/a/../b", "", "foo:/b"},
		{"foo:/.//p", "", "foo:/.//p"},
		{"sc://ñ.test/", "", "sc://%C3%B1.test/"},
		{"#frag", "mailto:x", "mailto:x#frag"},
		// File URLs.
		{"file:///C:/x/../y", "", "file:///C:/y"},
		{"file://localhost/etc/hosts", "", "file:///etc/hosts"},
		{"file:/etc", "", "file:///etc"},
		{"file:c:\\foo\\bar", "", "file:///c:/foo/bar"},
		{"..", "file:///C:/", "file:///C:/"},
		{"x", "file:///a/b", "file:///a/x"},
		// More from the WHATWG tests.
		{"http://example.com/foo/%2e%2", "", "http://example.com/foo/%2e%2"},
		{"http://[1:2:3:4:5:6:7:8]/", "", "http://[1:2:3:4:5:6:7:8]/"},
		{"http://[::127.0.0.1]/", "", "http://[::7f00:1]/"},
		{"http://[::]/", "", "http://[::]/"},
		{"http://[0:1:0:0:1:0:0:0]/", "", "http://[0:1:0:0:1::]/"},
		{"foo://[::1]/", "", "foo://[::1]/"},
		{"file:///C|/x", "", "file:///C:/x"},
		{"file://host/share/x", "", "file://host/share/x"},
		{"/c:/foo", "file:///c:/bar", "file:///c:/foo"},
		{"//d:/..", "file:///c:/bar", "file:///d:/"},
		{"file:..", "http://www.example.com/test", "file:///"},
		{"\\\\server\\file", "file:///tmp/mock/path", "file://server/file"},
		{"http://a/b#c#d", "", "http://a/b#c#d"},
		{"http://0x/", "", "http://0.0.0.0/"},
		{"http://foo.09..", "", "http://foo.09../"},
		{"http://%30%78%63%30%2e%30%32%35%30.01/", "", "http://192.168.0.1/"},
		{"http://１９２.１６８.０.１/", "", "http://192.168.0.1/"},
		{"http://ＧＯＯ.com/", "", "http://goo.com/"},
		{"http://www.google.com/foo?bar=baz# »", "", "http://www.google.com/foo?bar=baz#%20%C2%BB"},
		{"non-special:opaque  ?hi", "", "non-special:opaque %20?hi"},
		{"data:,a b#c d", "", "data:,a b#c%20d"},
		{"http://EXAMPLE.COM./", "", "http://example.com./"},
		{"HTTP://A:B@C/", "", "http://A:B@c/"},
		{"http://a:@b/", "", "http://a@b/"},
		{"http://09/", "", ""},
		{"http://1.2.3.09/", "", ""},
		// Failures.
		{"http://", "", ""},
		{"http://a b/", "", ""},
		{"http://[::1/", "", ""},
		{"http://[::1%25eth0]/", "", ""},
		{"http://exa%25mple.com/", "", ""},
		{"http://a:65536/", "", ""},
		{"http://a:b/", "", ""},
		{"http://256.0.0.1/", "", ""},
		{"http://1.2.3.4.5/", "", ""},
		{"http://0x100000000/", "", ""},
		{"//x", "", ""},
		{"a", "", ""},
		{"x", "mailto:y", ""},
		{"http://user@/", "", ""},
		{"foo://a b/", "", ""},
	}
	rt := newRuntime(t)
	check, err := rt.RunString(`(function (input, base) {
		try { return base === "" ? new URL(input).href : new URL(input, base).href; } catch (e) {
			if (!(e instanceof TypeError)) throw e;
			return "";
		}
	})`)
	if err != nil {
		t.Fatal(err)
	}
	fn, _ := goja.AssertFunction(check)
	for _, tc := range cases {
		got, err := fn(goja.Undefined(), rt.ToValue(tc.input), rt.ToValue(tc.base))
		if err != nil {
			t.Errorf("new URL(%q, %q): %v", tc.input, tc.base, err)
			continue
		}
		if got.String() != tc.href {
			t.Errorf("new URL(%q, %q).href = %q, want %q", tc.input, tc.base, got.String(), tc.href)
		}
	}
}

func TestURLAttributes(t *testing.T) {
	t.Parallel()
	rt := newRuntime(t)
	v, err := rt.RunString(`(() => {
		const names = ["href", "origin", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"];
		const out = {};
		for (const s of ["https://user:pw@Example.com:8443/p/a?x=1#top", "mailto:a@b.c", "blob:https://a.com/uuid", "file:///tmp/x", "http://[::1]/", "foo://h:9/p"]) {
			const u = new URL(s);
			out[s] = names.map((n) => u[n]);
		}
		return JSON.stringify(out);
	})()`)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string][]string
	if err := json.Unmarshal([]byte(v.String()), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"https://user:pw@Example.com:8443/p/a?x=1#top": {"https://user:pw@example.com:8443/p/a?x=1#top", "https://example.com:8443", "https:", "user", "pw", "example.com:8443", "example.com", "8443", "/p/a", "?x=1", "#top"},
		"mailto:a@b.c":            {"mailto:a@b.c", "null", "mailto:", "", "", "", "", "", "a@b.c", "", ""},
		"blob:https://a.com/uuid": {"blob:https://a.com/uuid", "https://a.com", "blob:", "", "", "", "", "", "https://a.com/uuid", "", ""},
		"file:///tmp/x":           {"file:///tmp/x", "null", "file:", "", "", "", "", "", "/tmp/x", "", ""},
		"http://[::1]/":           {"http://[::1]/", "http://[::1]", "http:", "", "", "[::1]", "[::1]", "", "/", "", ""},
		"foo://h:9/p":             {"foo://h:9/p", "null", "foo:", "", "", "h:9", "h", "9", "/p", "", ""},
	}
	for in, w := range want {
		g := got[in]
		for i := range w {
			if i >= len(g) || g[i] != w[i] {
				t.Errorf("%s: attributes %q, want %q", in, g, w)
				break
			}
		}
	}
}

func TestURLSetters(t *testing.T) {
	runCases(t, []jsCase{
		{"protocol drops default port", `const u = new URL("http://a.com:443/"); u.protocol = "https"; u.href`, "https://a.com/"},
		{"protocol special to non-special refused", `const u = new URL("http://a.com/"); u.protocol = "foo"; u.href`, "http://a.com/"},
		{"protocol with rest ignored", `const u = new URL("http://a.com/"); u.protocol = "wss:x"; u.href`, "wss://a.com/"},
		{"username encoded", `const u = new URL("http://a.com/"); u.username = "a b@c"; u.href`, "http://a%20b%40c@a.com/"},
		{"password", `const u = new URL("http://a.com/"); u.password = "p:w"; u.href`, "http://:p%3Aw@a.com/"},
		{"username on file ignored", `const u = new URL("file:///x"); u.username = "a"; u.href`, "file:///x"},
		{"host with port", `const u = new URL("http://a.com/p"); u.host = "B.com:81"; u.href`, "http://b.com:81/p"},
		{"hostname keeps port", `const u = new URL("http://a.com:81/p"); u.hostname = "c.com"; u.href`, "http://c.com:81/p"},
		{"hostname with colon refused", `const u = new URL("http://a.com/p"); u.hostname = "c.com:99"; u.href`, "http://a.com/p"},
		{"host invalid refused", `const u = new URL("http://a.com/p"); u.host = "a b"; u.href`, "http://a.com/p"},
		{"port", `const u = new URL("http://a.com/"); u.port = "8080abc"; u.port`, "8080"},
		{"port default", `const u = new URL("http://a.com:81/"); u.port = "80"; u.href`, "http://a.com/"},
		{"port cleared", `const u = new URL("http://a.com:81/"); u.port = ""; u.href`, "http://a.com/"},
		{"port invalid refused", `const u = new URL("http://a.com:81/"); u.port = "x"; u.port`, "81"},
		{"port too large refused", `const u = new URL("http://a.com:81/"); u.port = "65536"; u.port`, "81"},
		{"pathname", `const u = new URL("http://a.com/x?q#h"); u.pathname = "a b/../c"; u.href`, "http://a.com/c?q#h"},
		{"pathname on opaque ignored", `const u = new URL("mailto:x"); u.pathname = "y"; u.href`, "mailto:x"},
		{"search", `const u = new URL("http://a.com/#h"); u.search = "q=1 2"; u.href`, "http://a.com/?q=1%202#h"},
		{"search leading ?", `const u = new URL("http://a.com/"); u.search = "??x"; u.search`, "??x"},
		{"search cleared", `const u = new URL("http://a.com/?x#h"); u.search = ""; u.href`, "http://a.com/#h"},
		{"hash", `const u = new URL("http://a.com/"); u.hash = "#a b"; u.href`, "http://a.com/#a%20b"},
		{"hash cleared", `const u = new URL("http://a.com/#x"); u.hash = ""; u.href`, "http://a.com/"},
		{"href", `const u = new URL("http://a.com/"); u.href = "https://b.com/x?y=1"; u.host + u.searchParams.get("y")`, "b.com1"},
		{"href invalid throws", `const u = new URL("http://a.com/"); try { u.href = "nope"; "no" } catch (e) { (e instanceof TypeError) + u.href }`, "truehttp://a.com/"},
		{"toString and toJSON", `const u = new URL("http://a.com/x"); String(u) + JSON.stringify({u})`, `http://a.com/x{"u":"http://a.com/x"}`},
		{"toStringTag", `Object.prototype.toString.call(new URL("http://a")) + Object.prototype.toString.call(new URLSearchParams())`, "[object URL][object URLSearchParams]"},
		{"canParse", `[URL.canParse("x"), URL.canParse("x", "http://a/"), URL.parse("x"), URL.parse("/y", "http://a/").href].join()`, "false,true,,http://a/y"},
		{"no argument", `try { new URL(); "no" } catch (e) { e instanceof TypeError }`, true},
		{"brand check", `try { Object.getOwnPropertyDescriptor(URL.prototype, "href").get.call({}); "no" } catch (e) { e instanceof TypeError }`, true},
		{"base object", `new URL("x", new URL("http://a/b/c")).href`, "http://a/b/x"},
	})
}

func TestURLSearchParamsLive(t *testing.T) {
	runCases(t, []jsCase{
		{"same object", `const u = new URL("http://a/?x=1"); u.searchParams === u.searchParams`, true},
		{"append updates url", `const u = new URL("http://a/?x=1#h"); u.searchParams.append("y", "a b&c"); u.href`, "http://a/?x=1&y=a+b%26c#h"},
		{"set updates url", `const u = new URL("http://a/?x=1&x=2"); u.searchParams.set("x", "3"); u.search`, "?x=3"},
		{"delete all clears query", `const u = new URL("http://a/?x=1"); u.searchParams.delete("x"); u.href`, "http://a/"},
		{"search updates params", `const u = new URL("http://a/?x=1"); const p = u.searchParams; u.search = "?y=2&y=3"; p.getAll("y").join() + p.has("x")`, "2,3false"},
		{"href updates params", `const u = new URL("http://a/?x=1"); const p = u.searchParams; u.href = "http://b/?z=9"; p.get("z")`, "9"},
		{"sort updates url", `const u = new URL("http://a/?b=2&a=1"); u.searchParams.sort(); u.search`, "?a=1&b=2"},
		{"parsed from url", `new URL("http://a/?a=%C3%A9&b=c+d").searchParams.get("a") + new URL("http://a/?b=c+d").searchParams.get("b")`, "éc d"},
	})
}

func TestURLSearchParams(t *testing.T) {
	runCases(t, []jsCase{
		{"from string", `new URLSearchParams("?a=1&b=2&a=3").getAll("a").join()`, "1,3"},
		{"from string no leading ?", `new URLSearchParams("a=1&&b").toString()`, "a=1&b="},
		{"from object", `new URLSearchParams({a: "1", b: 2}).toString()`, "a=1&b=2"},
		{"from pairs", `new URLSearchParams([["a", "1"], ["b", "2"]]).toString()`, "a=1&b=2"},
		{"from params", `const p = new URLSearchParams("a=1"); const q = new URLSearchParams(p); q.append("b", "2"); p.toString() + "|" + q.toString()`, "a=1|a=1&b=2"},
		{"from map", `new URLSearchParams(new Map([["k", "v"]])).toString()`, "k=v"},
		{"bad pair", `try { new URLSearchParams([["a"]]); "no" } catch (e) { e instanceof TypeError }`, true},
		{"bad pair item", `try { new URLSearchParams([1]); "no" } catch (e) { e instanceof TypeError }`, true},
		{"plus and percent", `const p = new URLSearchParams("a=b+c&d=%zz&e=%41%42"); [p.get("a"), p.get("d"), p.get("e")].join("|")`, "b c|%zz|AB"},
		{"invalid utf-8", `new URLSearchParams("a=%FF").get("a")`, "\uFFFD"},
		{"serialize set", `new URLSearchParams({q: " !'()*~-._é+&="}).toString()`, "q=+%21%27%28%29*%7E-._%C3%A9%2B%26%3D"},
		{"lone surrogate", `new URLSearchParams({q: "\uD800"}).get("q") === "\uFFFD"`, true},
		{"get missing", `new URLSearchParams("a=1").get("b")`, nil},
		{"has", `const p = new URLSearchParams("a=1&a=2"); [p.has("a"), p.has("a", "2"), p.has("a", "3"), p.has("b")].join()`, "true,true,false,false"},
		{"delete with value", `const p = new URLSearchParams("a=1&a=2&b=1"); p.delete("a", "1"); p.toString()`, "a=2&b=1"},
		{"set first replaces rest", `const p = new URLSearchParams("a=1&b=2&a=3"); p.set("a", "x"); p.toString()`, "a=x&b=2"},
		{"set appends", `const p = new URLSearchParams("a=1"); p.set("b", "2"); p.toString()`, "a=1&b=2"},
		{"sort stable", `const p = new URLSearchParams("z=b&a=c&z=a&a=b"); p.sort(); p.toString()`, "a=c&a=b&z=b&z=a"},
		{"sort code units", `const p = new URLSearchParams([["\uFFFD", "x"], ["\uD83D\uDE00", "y"]]); p.sort(); [...p.keys()].map((k) => k.charCodeAt(0).toString(16)).join()`, "d83d,fffd"},
		{"iterate", `const p = new URLSearchParams("a=1&b=2"); JSON.stringify([...p]) + JSON.stringify([...p.keys()]) + JSON.stringify([...p.values()]) + JSON.stringify([...p.entries()])`, `[["a","1"],["b","2"]]["a","b"]["1","2"][["a","1"],["b","2"]]`},
		{"forEach", `const out = []; new URLSearchParams("a=1&b=2").forEach(function (v, k, p) { out.push(k + v + (p instanceof URLSearchParams) + this.t); }, {t: "!"}); out.join()`, "a1true!,b2true!"},
		{"size", `const p = new URLSearchParams("a=1&b=2&a=3"); p.size`, int64(3)},
		{"append needs two", `try { new URLSearchParams().append("a"); "no" } catch (e) { e instanceof TypeError }`, true},
		{"empty", `new URLSearchParams().toString() + new URLSearchParams(undefined).size + new URLSearchParams("").size`, "00"},
	})
}
