package webapi

import "testing"

// FuzzURLParse checks the parser's invariants on any input: it does not
// panic, a parsed URL's href parses again to itself (serializing is a
// fixed point), and so does the href after any setter.
func FuzzURLParse(f *testing.F) {
	for _, s := range []string{
		"http://a/b/../c?d#e", "https://user:pw@[::1]:8080/p", "file:///C:/x", "mailto:x", "foo://h/p",
		"http://0x7f.1/", "//x", "../y", "?q", "#f", "http://ü.de/", "sc:/.//p", "http:\\\\a\\b", "",
	} {
		f.Add(s, "search", "x")
	}
	fields := []string{"protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"}
	f.Fuzz(func(t *testing.T, input, field, value string) {
		base, _ := parseURL("http://user@a.com:81/b/c?q#f", nil)
		for _, b := range []*urlRecord{nil, base} {
			u, ok := parseURL(input, b)
			if !ok {
				continue
			}
			href := u.href()
			again, ok := parseURL(href, nil)
			if !ok || again.href() != href {
				t.Fatalf("parse(%q) = %q, which reparses to %v %q", input, href, ok, hrefOf(again))
			}
			for _, fl := range append(fields, field) {
				c, _ := parseURL(href, nil)
				c.set(fl, value)
				h := c.href()
				if r, ok := parseURL(h, nil); !ok || r.href() != h {
					t.Fatalf("%q after %s=%q: %q reparses to %v %q", href, fl, value, h, ok, hrefOf(r))
				}
			}
		}
	})
}

func hrefOf(u *urlRecord) string {
	if u == nil {
		return "<failure>"
	}
	return u.href()
}

// TestPunycode checks the encoder against RFC 3492 section 7.1 samples.
func TestPunycode(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"münchen", "mnchen-3ya"},
		{"bücher", "bcher-kva"},
		{"例え", "r8jz45g"},
		{"他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"},                            // RFC 3492 7.1 (B), lowercased
		{"почемужеонинеговорятпорусски", "b1abfaaepdrnnbgefbadotcwatmq2g4l"}, // (J)
	}
	for _, tc := range cases {
		if got, ok := punycodeEncode(tc.in); !ok || got != tc.want {
			t.Errorf("punycode(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}
