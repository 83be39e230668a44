package db

import (
	"strconv"
	"strings"
)

// rebind rewrites the portable placeholders of query for backend b. SQLite
// takes "?" as it is. For PostgreSQL each "?" outside string literals, quoted
// identifiers, dollar-quoted strings and comments becomes $1, $2, ... in
// order, and "?NNN" becomes $NNN, numbered as SQLite numbers them (a bare "?"
// is one more than the largest number so far); a query that already uses $n
// placeholders is left as it is, so that it may use PostgreSQL's jsonb "?"
// operators.
func rebind(b Backend, query string) string {
	if b != PostgreSQL || !strings.Contains(query, "?") {
		return query
	}
	marks, dollarParams := scanPlaceholders(query)
	if len(marks) == 0 || dollarParams {
		return query
	}
	var sb strings.Builder
	sb.Grow(len(query) + 2*len(marks))
	last, largest := 0, 0
	for _, m := range marks {
		sb.WriteString(query[last:m.at])
		n := largest + 1
		if m.end > m.at+1 {
			n, _ = strconv.Atoi(query[m.at+1 : m.end])
		}
		largest = max(largest, n)
		sb.WriteByte('$')
		sb.WriteString(strconv.Itoa(n))
		last = m.end
	}
	sb.WriteString(query[last:])
	return sb.String()
}

// mark is a "?" or "?NNN" placeholder at q[at:end].
type mark struct{ at, end int }

// scanPlaceholders returns the "?" and "?NNN" placeholders in query that lie
// outside literals, identifiers and comments, and whether query uses a $n
// positional parameter there.
func scanPlaceholders(q string) (marks []mark, dollarParams bool) {
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '?':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			marks = append(marks, mark{at: i, end: j})
			i = j
		case c == '\'':
			escapes := i > 0 && (q[i-1] == 'E' || q[i-1] == 'e') && (i < 2 || !isIdentByte(q[i-2]))
			i = skipQuoted(q, i, '\'', escapes)
		case c == '"':
			i = skipQuoted(q, i, '"', false)
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			if nl := strings.IndexByte(q[i:], '\n'); nl >= 0 {
				i += nl + 1
			} else {
				i = len(q)
			}
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			i = skipBlockComment(q, i)
		case c == '$' && (i == 0 || !isIdentByte(q[i-1])):
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			if j > i+1 {
				dollarParams = true
				i = j
				continue
			}
			i = skipDollarQuoted(q, i)
		case isIdentByte(c):
			// Skip a whole identifier so that "a$b" or "e'...'" inside a
			// word is not taken for a quote start.
			for i < len(q) && (isIdentByte(q[i]) || q[i] == '$') {
				i++
			}
		default:
			i++
		}
	}
	return marks, dollarParams
}

// skipQuoted returns the offset just past the quoted text starting at q[i],
// where a doubled quote stands for itself and, with backslashes, a backslash
// escapes the next byte. An unterminated quote runs to the end.
func skipQuoted(q string, i int, quote byte, backslashes bool) int {
	for j := i + 1; j < len(q); j++ {
		switch q[j] {
		case '\\':
			if backslashes {
				j++
			}
		case quote:
			if j+1 < len(q) && q[j+1] == quote {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(q)
}

// skipBlockComment returns the offset just past the /* comment */ at q[i];
// PostgreSQL nests them.
func skipBlockComment(q string, i int) int {
	depth := 0
	for j := i; j+1 < len(q); {
		switch {
		case q[j] == '/' && q[j+1] == '*':
			depth++
			j += 2
		case q[j] == '*' && q[j+1] == '/':
			depth--
			j += 2
			if depth == 0 {
				return j
			}
		default:
			j++
		}
	}
	return len(q)
}

// skipDollarQuoted returns the offset just past a $tag$...$tag$ string at
// q[i], or i+1 when q[i] does not open one.
func skipDollarQuoted(q string, i int) int {
	j := i + 1
	for j < len(q) && q[j] != '$' {
		if !isIdentByte(q[j]) || (j == i+1 && q[j] >= '0' && q[j] <= '9') {
			return i + 1
		}
		j++
	}
	if j >= len(q) {
		return i + 1
	}
	tag := q[i : j+1]
	if end := strings.Index(q[j+1:], tag); end >= 0 {
		return j + 1 + end + len(tag)
	}
	return len(q)
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}
