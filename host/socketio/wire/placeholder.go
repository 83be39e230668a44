package wire

import (
	"fmt"
	"strconv"
)

// ParsePlaceholder reports whether raw, one JSON value, is an attachment
// placeholder {"_placeholder":true,"num":N}, and returns N. As in the
// reference parser, an object whose "_placeholder" is true is a placeholder
// whatever its other keys; ok is false when N is not a non-negative integer.
// It lets a caller hand over an argument that is a whole attachment without
// parsing it.
func ParsePlaceholder(raw []byte) (num int, ok bool) {
	raw = trimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return 0, false
	}
	is, num, numOK, _ := scanPlaceholder(raw, 0)
	return num, is && numOK
}

// scanPlaceholder reads the validated object at b[i]: whether its last
// "_placeholder" is true, and its last "num" as an integer.
func scanPlaceholder(b []byte, i int) (is bool, num int, numOK bool, end int) {
	i = skipSpace(b, i+1)
	if b[i] == '}' {
		return false, 0, false, i + 1
	}
	for {
		kEnd, _ := skipString(b, i)
		key := b[i:kEnd]
		vStart := skipSpace(b, skipSpace(b, kEnd)+1) // past ':'
		vEnd, _ := skipValue(b, vStart)
		switch {
		case keyIs(key, "_placeholder"):
			is = string(b[vStart:vEnd]) == "true"
		case keyIs(key, "num"):
			num, numOK = placeholderNum(b[vStart:vEnd])
		}
		i = skipSpace(b, vEnd)
		if b[i] == '}' {
			return is, num, numOK, i + 1
		}
		i = skipSpace(b, i+1) // past ','
	}
}

// keyIs compares a validated JSON string with name, unescaping only when
// the key has escapes.
func keyIs(raw []byte, name string) bool {
	inner := raw[1 : len(raw)-1]
	for _, c := range inner {
		if c == '\\' {
			s, _ := UnquoteString(raw)
			return s == name
		}
	}
	return string(inner) == name
}

// placeholderNum accepts the plain integers a JavaScript encoder writes.
func placeholderNum(raw []byte) (int, bool) {
	if len(raw) == 0 || len(raw) > 9 {
		return 0, false
	}
	for _, c := range raw {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(string(raw))
	return n, err == nil
}

// checkPlaceholders walks the validated JSON data and fails with
// ErrAttachments on a placeholder whose num is not an attachment index below
// n, as the reference parser does when it reconstructs a binary packet. It
// does not look inside a placeholder, as the reference replaces it whole.
func checkPlaceholders(data []byte, n int) error {
	if _, err := walkPlaceholders(data, skipSpace(data, 0), n); err != nil {
		return fmt.Errorf("decode socket.io packet: %w", err)
	}
	return nil
}

func walkPlaceholders(b []byte, i, n int) (int, error) {
	switch b[i] {
	case '{':
		is, num, numOK, end := scanPlaceholder(b, i)
		if is {
			if !numOK || num >= n {
				return end, fmt.Errorf("%w: placeholder %s of %d attachments", ErrAttachments, b[i:end], n)
			}
			return end, nil
		}
		i = skipSpace(b, i+1)
		if b[i] == '}' {
			return i + 1, nil
		}
		for {
			kEnd, _ := skipString(b, i)
			j, err := walkPlaceholders(b, skipSpace(b, skipSpace(b, kEnd)+1), n)
			if err != nil {
				return j, err
			}
			i = skipSpace(b, j)
			if b[i] == '}' {
				return i + 1, nil
			}
			i = skipSpace(b, i+1)
		}
	case '[':
		i = skipSpace(b, i+1)
		if b[i] == ']' {
			return i + 1, nil
		}
		for {
			j, err := walkPlaceholders(b, i, n)
			if err != nil {
				return j, err
			}
			i = skipSpace(b, j)
			if b[i] == ']' {
				return i + 1, nil
			}
			i = skipSpace(b, i+1)
		}
	default:
		end, _ := skipValue(b, i)
		return end, nil
	}
}
