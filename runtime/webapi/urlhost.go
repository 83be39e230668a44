package webapi

import (
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file holds the WHATWG host parser (domains, IPv4 with its shorthand
// forms, IPv6 through net/netip, opaque hosts) and the percent-encode sets.

// parseHost is the spec's host parser; opaque is "not special".
func parseHost(input string, opaque bool) (string, bool) {
	if strings.HasPrefix(input, "[") {
		if !strings.HasSuffix(input, "]") || len(input) < 3 {
			return "", false
		}
		return parseIPv6(input[1 : len(input)-1])
	}
	if opaque {
		for _, r := range input {
			if isForbiddenHost(r) {
				return "", false
			}
		}
		return percentEncodeString(input, inC0ControlSet), true
	}
	domain := string(percentDecode(input))
	if !utf8.ValidString(domain) {
		domain = strings.ToValidUTF8(domain, "\uFFFD")
	}
	ascii, ok := domainToASCII(domain)
	if !ok || ascii == "" {
		return "", false
	}
	for _, r := range ascii {
		if isForbiddenDomain(r) {
			return "", false
		}
	}
	if endsInANumber(ascii) {
		return parseIPv4(ascii)
	}
	return ascii, true
}

// domainToASCII lowercases a domain and encodes each non-ASCII label as
// punycode ("xn--"), after uts46Map. It is the common case of UTS #46
// ToASCII: the full mapping table (and its validity checks) is not applied.
func domainToASCII(domain string) (string, bool) {
	ascii := true
	for i := 0; i < len(domain); i++ {
		if domain[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(domain), true
	}
	domain = strings.ToLower(strings.Map(uts46Map, domain))
	if isASCII(domain) {
		return domain, true
	}
	labels := strings.Split(domain, ".")
	for i, l := range labels {
		if !isASCII(l) {
			enc, ok := punycodeEncode(l)
			if !ok {
				return "", false
			}
			labels[i] = "xn--" + enc
		}
	}
	return strings.Join(labels, "."), true
}

// uts46Map is the part of the UTS #46 mapping that matters most in
// practice: full-width ASCII (U+FF01 to U+FF5E) and the other scripts'
// full stops become ASCII, and the ignored code points (soft hyphen,
// zero-width space, word joiner, variation selectors, BOM) are dropped.
func uts46Map(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == 0x3002 || r == 0xFF61:
		return '.'
	case r == 0x00AD || r == 0x034F || r >= 0x180B && r <= 0x180D || r == 0x200B || r == 0x2060 ||
		r >= 0xFE00 && r <= 0xFE0F || r == 0xFEFF:
		return -1
	}
	return r
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// punycodeEncode is RFC 3492's encoder.
func punycodeEncode(s string) (string, bool) {
	const (
		base, tmin, tmax, skew, damp = 36, 1, 26, 38, 700
		initialBias, initialN        = 72, 128
	)
	in := []rune(s)
	var out []byte
	for _, r := range in {
		if r < 0x80 {
			out = append(out, byte(r))
		}
	}
	b := len(out)
	h := b
	if b > 0 {
		out = append(out, '-')
	}
	n, delta, bias := rune(initialN), 0, initialBias
	digit := func(d int) byte {
		if d < 26 {
			return byte('a' + d)
		}
		return byte('0' + d - 26)
	}
	adapt := func(delta, numPoints int, first bool) int {
		if first {
			delta /= damp
		} else {
			delta /= 2
		}
		delta += delta / numPoints
		k := 0
		for delta > ((base-tmin)*tmax)/2 {
			delta /= base - tmin
			k += base
		}
		return k + (base-tmin+1)*delta/(delta+skew)
	}
	for h < len(in) {
		m := rune(0x7FFFFFFF)
		for _, r := range in {
			if r >= n && r < m {
				m = r
			}
		}
		if int(m-n) > (1<<31-1-delta)/(h+1) {
			return "", false
		}
		delta += int(m-n) * (h + 1)
		n = m
		for _, r := range in {
			if r < n {
				delta++
			}
			if r == n {
				q := delta
				for k := base; ; k += base {
					t := k - bias
					if t < tmin {
						t = tmin
					} else if t > tmax {
						t = tmax
					}
					if q < t {
						break
					}
					out = append(out, digit(t+(q-t)%(base-t)))
					q = (q - t) / (base - t)
				}
				out = append(out, digit(q))
				bias = adapt(delta, h+1, h == b)
				delta = 0
				h++
			}
		}
		delta++
		n++
	}
	return string(out), true
}

// endsInANumber reports whether the last label (a trailing dot aside) is
// decimal digits or a 0x hex number: such a host must parse as IPv4.
func endsInANumber(s string) bool {
	parts := strings.Split(s, ".")
	if parts[len(parts)-1] == "" {
		if len(parts) == 1 {
			return false
		}
		parts = parts[:len(parts)-1]
	}
	last := parts[len(parts)-1]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	_, ok := parseIPv4Number(last)
	return ok
}

// parseIPv4Number parses one part: decimal, 0x hex or 0-prefixed octal.
func parseIPv4Number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	radix := 10
	if len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X") {
		s, radix = s[2:], 16
	} else if len(s) >= 2 && s[0] == '0' {
		s, radix = s[1:], 8
	}
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseUint(s, radix, 64)
	if err != nil {
		// A number too large for 64 bits is still a number (and fails the
		// range check); anything else is not.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 1 << 63, true
		}
		return 0, false
	}
	return n, true
}

// parseIPv4 is the spec's IPv4 parser, serialized as dotted decimal.
func parseIPv4(s string) (string, bool) {
	parts := strings.Split(s, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return "", false
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, ok := parseIPv4Number(p)
		if !ok {
			return "", false
		}
		nums[i] = n
	}
	for _, n := range nums[:len(nums)-1] {
		if n > 255 {
			return "", false
		}
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return "", false
	}
	ipv4 := last
	for i, n := range nums[:len(nums)-1] {
		ipv4 += n << (8 * (3 - i))
	}
	return strconv.FormatUint(ipv4>>24, 10) + "." + strconv.FormatUint(ipv4>>16&255, 10) + "." +
		strconv.FormatUint(ipv4>>8&255, 10) + "." + strconv.FormatUint(ipv4&255, 10), true
}

// parseIPv6 parses the inside of [...] and serializes it as the spec does:
// lowercase hex, the first longest run of two or more zero pieces as "::",
// never a dotted IPv4 tail.
func parseIPv6(s string) (string, bool) {
	if strings.ContainsAny(s, "%") {
		return "", false
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() {
		return "", false
	}
	b := a.As16()
	var pieces [8]uint16
	for i := range pieces {
		pieces[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	start, best := -1, 1
	for i := 0; i < 8; {
		if pieces[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && pieces[j] == 0 {
			j++
		}
		if j-i > best {
			start, best = i, j-i
		}
		i = j
	}
	var out strings.Builder
	out.WriteByte('[')
	for i := 0; i < 8; i++ {
		if i == start {
			if i == 0 {
				out.WriteString("::")
			} else {
				out.WriteByte(':')
			}
			i += best - 1
			continue
		}
		out.WriteString(strconv.FormatUint(uint64(pieces[i]), 16))
		if i != 7 {
			out.WriteByte(':')
		}
	}
	out.WriteByte(']')
	return out.String(), true
}

func isForbiddenHost(r rune) bool {
	switch r {
	case 0, '\t', '\n', '\r', ' ', '#', '/', ':', '<', '>', '?', '@', '[', '\\', ']', '^', '|':
		return true
	}
	return false
}

func isForbiddenDomain(r rune) bool {
	return isForbiddenHost(r) || r <= 0x1F || r == '%' || r == 0x7F
}

// A percent-encode set reports whether a byte (below 0x80; every byte from
// 0x80 is in every set) is encoded.
type encodeSet func(b byte) bool

func inC0ControlSet(b byte) bool { return b < 0x20 || b > 0x7E }

func inFragmentSet(b byte) bool {
	return inC0ControlSet(b) || b == ' ' || b == '"' || b == '<' || b == '>' || b == '`'
}

func inQuerySet(b byte) bool {
	return inC0ControlSet(b) || b == ' ' || b == '"' || b == '#' || b == '<' || b == '>'
}

func inSpecialQuerySet(b byte) bool { return inQuerySet(b) || b == '\'' }

func inPathSet(b byte) bool {
	return inQuerySet(b) || b == '?' || b == '^' || b == '`' || b == '{' || b == '}'
}

func inUserinfoSet(b byte) bool {
	return inPathSet(b) || b == '/' || b == ':' || b == ';' || b == '=' || b == '@' || (b >= '[' && b <= '^') || b == '|'
}

func inComponentSet(b byte) bool {
	return inUserinfoSet(b) || b == '$' || b == '%' || b == '&' || b == '+' || b == ','
}

func inFormSet(b byte) bool {
	return inComponentSet(b) || b == '!' || (b >= '\'' && b <= ')') || b == '~'
}

const upperHex = "0123456789ABCDEF"

// percentEncodeRune encodes r's UTF-8 bytes that are in set.
func percentEncodeRune(r rune, set encodeSet) string {
	if r < utf8.RuneSelf && !set(byte(r)) {
		return string(byte(r))
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	var out strings.Builder
	for _, b := range buf[:n] {
		if b < utf8.RuneSelf && !set(b) {
			out.WriteByte(b)
			continue
		}
		out.WriteByte('%')
		out.WriteByte(upperHex[b>>4])
		out.WriteByte(upperHex[b&15])
	}
	return out.String()
}

// percentEncodeString encodes s's bytes that are in set.
func percentEncodeString(s string, set encodeSet) string {
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b < utf8.RuneSelf && !set(b) {
			out.WriteByte(b)
			continue
		}
		out.WriteByte('%')
		out.WriteByte(upperHex[b>>4])
		out.WriteByte(upperHex[b&15])
	}
	return out.String()
}

// percentDecode decodes %XX sequences, leaving malformed ones as they are.
func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isASCIIHex(rune(s[i+1])) && isASCIIHex(rune(s[i+2])) {
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
