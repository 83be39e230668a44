package db

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestRebind(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, want string
	}{
		{"none", "SELECT 1", "SELECT 1"},
		{"two", "SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = $2"},
		{"adjacent", "VALUES (?,?),(?,?)", "VALUES ($1,$2),($3,$4)"},
		{"string literal", "SELECT '?', ? FROM t", "SELECT '?', $1 FROM t"},
		{"doubled quote", "SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"},
		{"E string backslash", `SELECT E'\' ?', ?`, `SELECT E'\' ?', $1`},
		{"plain string keeps backslash literal", `SELECT 'a\', ?`, `SELECT 'a\', $1`},
		{"identifier", `SELECT "odd?name", ? FROM t`, `SELECT "odd?name", $1 FROM t`},
		{"line comment", "SELECT ? -- what?\n, ?", "SELECT $1 -- what?\n, $2"},
		{"line comment at end", "SELECT ? -- what?", "SELECT $1 -- what?"},
		{"block comment", "SELECT /* ? */ ?", "SELECT /* ? */ $1"},
		{"nested block comment", "SELECT /* a /* ? */ ? */ ?", "SELECT /* a /* ? */ ? */ $1"},
		{"dollar quoted", "SELECT $$ ? $$, ?", "SELECT $$ ? $$, $1"},
		{"tagged dollar quoted", "SELECT $fn$ ? $x$ ? $fn$, ?", "SELECT $fn$ ? $x$ ? $fn$, $1"},
		{"identifier with dollar", "SELECT a$b, ?", "SELECT a$b, $1"},
		{"word ending in e before quote", "SELECT type'?', ?", "SELECT type'?', $1"},
		{"already $n is left alone", "SELECT data ? 'k' FROM t WHERE id = $1", "SELECT data ? 'k' FROM t WHERE id = $1"},
		{"unterminated string", "SELECT ? '?", "SELECT $1 '?"},
		{"numbered", "SELECT ?2, ?1, ?", "SELECT $2, $1, $3"},
		{"numbered then bare", "SELECT ?, ?3, ?", "SELECT $1, $3, $4"},
		{"many", strings.Repeat("?,", 11) + "?", "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := rebind(PostgreSQL, c.in); got != c.want {
				t.Errorf("rebind(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
			if got := rebind(SQLite, c.in); got != c.in {
				t.Errorf("SQLite changed %q to %q", c.in, got)
			}
		})
	}
}

func TestReadsOnly(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"SELECT 1":          true,
		"  select * from t": true,
		"-- c\n/* d */ (SELECT 1) UNION SELECT 2": true,
		"SELECTED":                             false,
		"WITH x AS (SELECT 1) SELECT * FROM x": false,
		"INSERT INTO t VALUES (1) RETURNING *": false,
		"PRAGMA journal_mode":                  false,
		"-- only a comment":                    false,
		"":                                     false,
	}
	for q, want := range cases {
		if got := readsOnly(q); got != want {
			t.Errorf("readsOnly(%q) = %v, want %v", q, got, want)
		}
	}
}

var (
	dollarN       = regexp.MustCompile(`\$[0-9]+`)
	questionDigit = regexp.MustCompile(`\?[0-9]`)
)

// FuzzRebind: for SQL without "$" (or "?" before a digit), rebind only turns some "?" into $1, $2,
// ... in order, so turning them back gives the input.
func FuzzRebind(f *testing.F) {
	for _, s := range []string{"SELECT ?", "'?' ? \"?\" -- ?\n ?", "/* /* ? */ */ ?", "E'\\'?' ?", "x'?'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if strings.Contains(q, "$") || questionDigit.MatchString(q) {
			t.Skip() // "?NNN" is numbered by its digits, which this check does not model
		}
		out := rebind(PostgreSQL, q)
		n := 0
		back := dollarN.ReplaceAllStringFunc(out, func(m string) string {
			n++
			if m != "$"+strconv.Itoa(n) {
				t.Fatalf("placeholder %d is %s in %q", n, m, out)
			}
			return "?"
		})
		if back != q {
			t.Fatalf("rebind(%q) = %q, which maps back to %q", q, out, back)
		}
	})
}
