package webapi

import (
	"strconv"
	"strings"
)

// This file is the WHATWG URL parser (https://url.spec.whatwg.org/#concept-basic-url-parser):
// the state machine of the spec, run over code points, with the state
// overrides that the URL setters use. Go's net/url disagrees with it in too
// many places (backslashes, IPv4 shorthand, percent-encode sets, dot
// segments, opaque paths) to be used for parsing; net/netip parses the IPv6
// hosts.

// urlRecord is a parsed URL (the spec's "URL record").
type urlRecord struct {
	scheme      string
	username    string
	password    string
	host        string
	hasHost     bool
	port        string // "" when null
	path        []string
	opaque      bool   // the path is an opaque path (a single string)
	opaquePath  string // the opaque path when opaque
	query       string
	hasQuery    bool
	fragment    string
	hasFragment bool
}

// urlState is a state of the basic URL parser.
type urlState int

const (
	stNone urlState = iota
	stSchemeStart
	stScheme
	stNoScheme
	stSpecialRelativeOrAuthority
	stPathOrAuthority
	stRelative
	stRelativeSlash
	stSpecialAuthoritySlashes
	stSpecialAuthorityIgnoreSlashes
	stAuthority
	stHost
	stHostname
	stPort
	stFile
	stFileSlash
	stFileHost
	stPathStart
	stPath
	stOpaquePath
	stQuery
	stFragment
)

// specialPorts maps the special schemes to their default ports ("" for file).
var specialPorts = map[string]string{
	"ftp": "21", "file": "", "http": "80", "https": "443", "ws": "80", "wss": "443",
}

func isSpecialScheme(s string) bool { _, ok := specialPorts[s]; return ok }

func (u *urlRecord) special() bool { return isSpecialScheme(u.scheme) }

// parseURL parses input against base (nil for none), as new URL(input, base).
func parseURL(input string, base *urlRecord) (*urlRecord, bool) {
	u := &urlRecord{}
	// Strip leading and trailing C0 control or space.
	input = strings.TrimFunc(input, func(r rune) bool { return r <= 0x20 })
	if !basicParse(input, base, u, stNone) {
		return nil, false
	}
	return u, true
}

// basicParse runs the basic URL parser over input into u, from the state
// override when it is not stNone. It reports false on failure; with a
// state override a "return" of the spec that is not a failure reports true.
func basicParse(input string, base *urlRecord, u *urlRecord, override urlState) bool {
	// Remove ASCII tab or newline.
	if strings.ContainsAny(input, "\t\n\r") {
		input = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, input)
	}
	in := []rune(input)
	state := override
	if state == stNone {
		state = stSchemeStart
	}
	var buf strings.Builder
	atSignSeen, insideBrackets, passwordTokenSeen := false, false, false
	const eof = rune(-1)
	at := func(i int) rune {
		if i >= 0 && i < len(in) {
			return in[i]
		}
		return eof
	}

	for p := 0; p <= len(in); p++ {
		c := at(p)
		switch state {
		case stSchemeStart:
			if isASCIIAlpha(c) {
				buf.WriteRune(toLowerASCII(c))
				state = stScheme
			} else if override == stNone {
				state = stNoScheme
				p--
			} else {
				return false
			}
		case stScheme:
			if isASCIIAlnum(c) || c == '+' || c == '-' || c == '.' {
				buf.WriteRune(toLowerASCII(c))
			} else if c == ':' {
				b := buf.String()
				if override != stNone {
					if isSpecialScheme(u.scheme) != isSpecialScheme(b) {
						return true
					}
					if (u.username != "" || u.password != "" || u.port != "") && b == "file" {
						return true
					}
					if u.scheme == "file" && u.hasHost && u.host == "" {
						return true
					}
				}
				u.scheme = b
				if override != stNone {
					if u.port == specialPorts[u.scheme] && u.port != "" {
						u.port = ""
					}
					return true
				}
				buf.Reset()
				switch {
				case u.scheme == "file":
					state = stFile
				case u.special() && base != nil && base.scheme == u.scheme:
					state = stSpecialRelativeOrAuthority
				case u.special():
					state = stSpecialAuthoritySlashes
				case at(p+1) == '/':
					state = stPathOrAuthority
					p++
				default:
					u.opaque = true
					u.opaquePath = ""
					state = stOpaquePath
				}
			} else if override == stNone {
				buf.Reset()
				state = stNoScheme
				p = -1
			} else {
				return false
			}
		case stNoScheme:
			if base == nil || (base.opaque && c != '#') {
				return false
			} else if base.opaque && c == '#' {
				u.scheme = base.scheme
				u.opaque, u.opaquePath = true, base.opaquePath
				u.query, u.hasQuery = base.query, base.hasQuery
				u.fragment, u.hasFragment = "", true
				state = stFragment
			} else if base.scheme != "file" {
				state = stRelative
				p--
			} else {
				state = stFile
				p--
			}
		case stSpecialRelativeOrAuthority:
			if c == '/' && at(p+1) == '/' {
				state = stSpecialAuthorityIgnoreSlashes
				p++
			} else {
				state = stRelative
				p--
			}
		case stPathOrAuthority:
			if c == '/' {
				state = stAuthority
			} else {
				state = stPath
				p--
			}
		case stRelative:
			u.scheme = base.scheme
			if c == '/' {
				state = stRelativeSlash
			} else if u.special() && c == '\\' {
				state = stRelativeSlash
			} else {
				u.username, u.password = base.username, base.password
				u.host, u.hasHost, u.port = base.host, base.hasHost, base.port
				u.path = append([]string(nil), base.path...)
				u.query, u.hasQuery = base.query, base.hasQuery
				if c == '?' {
					u.query, u.hasQuery = "", true
					state = stQuery
				} else if c == '#' {
					u.fragment, u.hasFragment = "", true
					state = stFragment
				} else if c != eof {
					u.query, u.hasQuery = "", false
					u.shortenPath()
					state = stPath
					p--
				}
			}
		case stRelativeSlash:
			if u.special() && (c == '/' || c == '\\') {
				state = stSpecialAuthorityIgnoreSlashes
			} else if c == '/' {
				state = stAuthority
			} else {
				u.username, u.password = base.username, base.password
				u.host, u.hasHost, u.port = base.host, base.hasHost, base.port
				state = stPath
				p--
			}
		case stSpecialAuthoritySlashes:
			if c == '/' && at(p+1) == '/' {
				state = stSpecialAuthorityIgnoreSlashes
				p++
			} else {
				state = stSpecialAuthorityIgnoreSlashes
				p--
			}
		case stSpecialAuthorityIgnoreSlashes:
			if c != '/' && c != '\\' {
				state = stAuthority
				p--
			}
		case stAuthority:
			if c == '@' {
				b := buf.String()
				if atSignSeen {
					b = "%40" + b
				}
				atSignSeen = true
				for _, r := range b {
					if r == ':' && !passwordTokenSeen {
						passwordTokenSeen = true
						continue
					}
					enc := percentEncodeRune(r, inUserinfoSet)
					if passwordTokenSeen {
						u.password += enc
					} else {
						u.username += enc
					}
				}
				buf.Reset()
			} else if c == eof || c == '/' || c == '?' || c == '#' || (u.special() && c == '\\') {
				if atSignSeen && buf.Len() == 0 {
					return false
				}
				p -= len([]rune(buf.String())) + 1
				buf.Reset()
				state = stHost
			} else {
				buf.WriteRune(c)
			}
		case stHost, stHostname:
			if override != stNone && u.scheme == "file" {
				p--
				state = stFileHost
			} else if c == ':' && !insideBrackets {
				if buf.Len() == 0 {
					return false
				}
				if override == stHostname {
					return false
				}
				h, ok := parseHost(buf.String(), !u.special())
				if !ok {
					return false
				}
				u.host, u.hasHost = h, true
				buf.Reset()
				state = stPort
			} else if c == eof || c == '/' || c == '?' || c == '#' || (u.special() && c == '\\') {
				p--
				if u.special() && buf.Len() == 0 {
					return false
				} else if override != stNone && buf.Len() == 0 && (u.username != "" || u.password != "" || u.port != "") {
					return false
				}
				h, ok := parseHost(buf.String(), !u.special())
				if !ok {
					return false
				}
				u.host, u.hasHost = h, true
				buf.Reset()
				state = stPathStart
				if override != stNone {
					return true
				}
			} else {
				if c == '[' {
					insideBrackets = true
				}
				if c == ']' {
					insideBrackets = false
				}
				buf.WriteRune(c)
			}
		case stPort:
			if isASCIIDigit(c) {
				buf.WriteRune(c)
			} else if c == eof || c == '/' || c == '?' || c == '#' || (u.special() && c == '\\') || override != stNone {
				if buf.Len() != 0 {
					digits := strings.TrimLeft(buf.String(), "0")
					n, err := strconv.Atoi("0" + digits)
					if err != nil || len(digits) > 5 || n > 65535 {
						return false
					}
					port := strconv.Itoa(n)
					if port == specialPorts[u.scheme] {
						u.port = ""
					} else {
						u.port = port
					}
					buf.Reset()
					if override != stNone {
						return true
					}
				}
				if override != stNone {
					return false
				}
				state = stPathStart
				p--
			} else {
				return false
			}
		case stFile:
			u.scheme = "file"
			u.host, u.hasHost = "", true
			if c == '/' || c == '\\' {
				state = stFileSlash
			} else if base != nil && base.scheme == "file" {
				u.host, u.hasHost = base.host, base.hasHost
				u.path = append([]string(nil), base.path...)
				u.query, u.hasQuery = base.query, base.hasQuery
				if c == '?' {
					u.query, u.hasQuery = "", true
					state = stQuery
				} else if c == '#' {
					u.fragment, u.hasFragment = "", true
					state = stFragment
				} else if c != eof {
					u.query, u.hasQuery = "", false
					if !startsWithWindowsDriveLetter(in[p:]) {
						u.shortenPath()
					} else {
						u.path = nil
					}
					state = stPath
					p--
				}
			} else {
				state = stPath
				p--
			}
		case stFileSlash:
			if c == '/' || c == '\\' {
				state = stFileHost
			} else {
				if base != nil && base.scheme == "file" {
					u.host, u.hasHost = base.host, base.hasHost
					if !startsWithWindowsDriveLetter(in[p:]) && len(base.path) > 0 && isNormalizedWindowsDriveLetter(base.path[0]) {
						u.path = append(u.path, base.path[0])
					}
				}
				state = stPath
				p--
			}
		case stFileHost:
			if c == eof || c == '/' || c == '\\' || c == '?' || c == '#' {
				p--
				b := buf.String()
				if override == stNone && isWindowsDriveLetter(b) {
					state = stPath
				} else if b == "" {
					u.host, u.hasHost = "", true
					if override != stNone {
						return true
					}
					state = stPathStart
				} else {
					h, ok := parseHost(b, false)
					if !ok {
						return false
					}
					if h == "localhost" {
						h = ""
					}
					u.host, u.hasHost = h, true
					if override != stNone {
						return true
					}
					buf.Reset()
					state = stPathStart
				}
			} else {
				buf.WriteRune(c)
			}
		case stPathStart:
			if u.special() {
				state = stPath
				if c != '/' && c != '\\' {
					p--
				}
			} else if override == stNone && c == '?' {
				u.query, u.hasQuery = "", true
				state = stQuery
			} else if override == stNone && c == '#' {
				u.fragment, u.hasFragment = "", true
				state = stFragment
			} else if c != eof {
				state = stPath
				if c != '/' {
					p--
				}
			} else if override != stNone && !u.hasHost {
				u.path = append(u.path, "")
			}
		case stPath:
			if c == eof || c == '/' || (u.special() && c == '\\') || (override == stNone && (c == '?' || c == '#')) {
				b := buf.String()
				slash := c == '/' || (u.special() && c == '\\')
				switch {
				case isDoubleDot(b):
					u.shortenPath()
					if !slash {
						u.path = append(u.path, "")
					}
				case isSingleDot(b) && !slash:
					u.path = append(u.path, "")
				case !isSingleDot(b):
					if u.scheme == "file" && len(u.path) == 0 && isWindowsDriveLetter(b) {
						b = b[:1] + ":"
					}
					u.path = append(u.path, b)
				}
				buf.Reset()
				if c == '?' {
					u.query, u.hasQuery = "", true
					state = stQuery
				}
				if c == '#' {
					u.fragment, u.hasFragment = "", true
					state = stFragment
				}
			} else {
				buf.WriteString(percentEncodeRune(c, inPathSet))
			}
		case stOpaquePath:
			if c == '?' {
				u.query, u.hasQuery = "", true
				state = stQuery
			} else if c == '#' {
				u.fragment, u.hasFragment = "", true
				state = stFragment
			} else if c == ' ' {
				nx := at(p + 1)
				if nx == '?' || nx == '#' {
					u.opaquePath += "%20"
				} else {
					u.opaquePath += " "
				}
			} else if c != eof {
				u.opaquePath += percentEncodeRune(c, inC0ControlSet)
			}
		case stQuery:
			if (override == stNone && c == '#') || c == eof {
				set := inQuerySet
				if u.special() {
					set = inSpecialQuerySet
				}
				u.query += percentEncodeString(buf.String(), set)
				buf.Reset()
				if c == '#' {
					u.fragment, u.hasFragment = "", true
					state = stFragment
				}
			} else {
				buf.WriteRune(c)
			}
		case stFragment:
			if c != eof {
				u.fragment += percentEncodeRune(c, inFragmentSet)
			}
		}
	}
	return true
}

// shortenPath removes the path's last segment, keeping a file URL's
// normalized drive letter.
func (u *urlRecord) shortenPath() {
	if u.scheme == "file" && len(u.path) == 1 && isNormalizedWindowsDriveLetter(u.path[0]) {
		return
	}
	if len(u.path) > 0 {
		u.path = u.path[:len(u.path)-1]
	}
}

// pathname serializes the path.
func (u *urlRecord) pathname() string {
	if u.opaque {
		return u.opaquePath
	}
	var b strings.Builder
	for _, s := range u.path {
		b.WriteByte('/')
		b.WriteString(s)
	}
	return b.String()
}

// hostPort is the spec's host getter: host, and :port when not null.
func (u *urlRecord) hostPort() string {
	if !u.hasHost {
		return ""
	}
	if u.port == "" {
		return u.host
	}
	return u.host + ":" + u.port
}

// href serializes the URL (with its fragment).
func (u *urlRecord) href() string {
	var b strings.Builder
	b.WriteString(u.scheme)
	b.WriteByte(':')
	if u.hasHost {
		b.WriteString("//")
		if u.username != "" || u.password != "" {
			b.WriteString(u.username)
			if u.password != "" {
				b.WriteByte(':')
				b.WriteString(u.password)
			}
			b.WriteByte('@')
		}
		b.WriteString(u.hostPort())
	} else if !u.opaque && len(u.path) > 1 && u.path[0] == "" {
		b.WriteString("/.")
	}
	b.WriteString(u.pathname())
	if u.hasQuery {
		b.WriteByte('?')
		b.WriteString(u.query)
	}
	if u.hasFragment {
		b.WriteByte('#')
		b.WriteString(u.fragment)
	}
	return b.String()
}

// origin serializes the URL's origin ("null" for an opaque origin).
func (u *urlRecord) origin() string {
	switch u.scheme {
	case "blob":
		if inner, ok := parseURL(u.pathname(), nil); ok && (inner.scheme == "http" || inner.scheme == "https") {
			return inner.origin()
		}
		return "null"
	case "ftp", "http", "https", "ws", "wss":
		return u.scheme + "://" + u.hostPort()
	}
	return "null"
}

func isASCIIAlpha(c rune) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isASCIIDigit(c rune) bool { return c >= '0' && c <= '9' }
func isASCIIAlnum(c rune) bool { return isASCIIAlpha(c) || isASCIIDigit(c) }
func isASCIIHex(c rune) bool {
	return isASCIIDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func toLowerASCII(c rune) rune {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isSingleDot(s string) bool { return s == "." || strings.EqualFold(s, "%2e") }

func isDoubleDot(s string) bool {
	switch strings.ToLower(s) {
	case "..", ".%2e", "%2e.", "%2e%2e":
		return true
	}
	return false
}

func isWindowsDriveLetter(s string) bool {
	return len(s) == 2 && isASCIIAlpha(rune(s[0])) && (s[1] == ':' || s[1] == '|')
}

func isNormalizedWindowsDriveLetter(s string) bool {
	return len(s) == 2 && isASCIIAlpha(rune(s[0])) && s[1] == ':'
}

func startsWithWindowsDriveLetter(r []rune) bool {
	if len(r) < 2 || !isASCIIAlpha(r[0]) || (r[1] != ':' && r[1] != '|') {
		return false
	}
	if len(r) == 2 {
		return true
	}
	switch r[2] {
	case '/', '\\', '?', '#':
		return true
	}
	return false
}
