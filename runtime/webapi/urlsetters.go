package webapi

import (
	"strings"
	"unicode/utf8"
)

// This file holds the URL setters (as the spec's URL class defines them, on
// top of the parser's state overrides) and application/x-www-form-urlencoded.

// cannotHaveCredentialsOrPort is the spec's "cannot have a
// username/password/port".
func (u *urlRecord) cannotHaveCredentialsOrPort() bool {
	return !u.hasHost || u.host == "" || u.scheme == "file"
}

// set applies the setter of URL attribute field (not href) with value. As
// in the spec, a value that does not parse leaves the URL as it is, or as
// far as the parser got.
func (u *urlRecord) set(field, value string) {
	switch field {
	case "protocol":
		basicParse(value+":", nil, u, stSchemeStart)
	case "username":
		if !u.cannotHaveCredentialsOrPort() {
			u.username = percentEncodeString(value, inUserinfoSet)
		}
	case "password":
		if !u.cannotHaveCredentialsOrPort() {
			u.password = percentEncodeString(value, inUserinfoSet)
		}
	case "host":
		if !u.opaque {
			basicParse(value, nil, u, stHost)
		}
	case "hostname":
		if !u.opaque {
			basicParse(value, nil, u, stHostname)
		}
	case "port":
		if u.cannotHaveCredentialsOrPort() {
			return
		}
		if value == "" {
			u.port = ""
			return
		}
		basicParse(value, nil, u, stPort)
	case "pathname":
		if u.opaque {
			return
		}
		u.path = nil
		basicParse(value, nil, u, stPathStart)
	case "search":
		if value == "" {
			u.query, u.hasQuery = "", false
			return
		}
		u.query, u.hasQuery = "", true
		basicParse(strings.TrimPrefix(value, "?"), nil, u, stQuery)
	case "hash":
		if value == "" {
			u.fragment, u.hasFragment = "", false
			return
		}
		u.fragment, u.hasFragment = "", true
		basicParse(strings.TrimPrefix(value, "#"), nil, u, stFragment)
	}
}

// formParse parses application/x-www-form-urlencoded input into name, value
// pairs, flattened: [name0, value0, name1, value1, ...].
func formParse(input string) []string {
	var out []string
	for _, seq := range strings.Split(input, "&") {
		if seq == "" {
			continue
		}
		name, value, _ := strings.Cut(seq, "=")
		out = append(out, formDecode(name), formDecode(value))
	}
	return out
}

// formDecode turns + into space, percent-decodes, and decodes UTF-8 with
// replacement.
func formDecode(s string) string {
	if !strings.ContainsAny(s, "+%") {
		return s
	}
	b := percentDecode(strings.ReplaceAll(s, "+", " "))
	if utf8.Valid(b) {
		return string(b)
	}
	return decodeUTF8Replacing(b)
}

// formSerialize serializes flattened name, value pairs.
func formSerialize(pairs []string) string {
	var out strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		if i > 0 {
			out.WriteByte('&')
		}
		formEncodeTo(&out, pairs[i])
		out.WriteByte('=')
		formEncodeTo(&out, pairs[i+1])
	}
	return out.String()
}

func formEncodeTo(out *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b == ' ':
			out.WriteByte('+')
		case b < utf8.RuneSelf && !inFormSet(b):
			out.WriteByte(b)
		default:
			out.WriteByte('%')
			out.WriteByte(upperHex[b>>4])
			out.WriteByte(upperHex[b&15])
		}
	}
}
