package db

import (
	"math"
	"math/big"
	"reflect"
	"testing"
	"time"
)

func TestValueRoundTrip(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testBackend) {
		d := open(t, b.dsn(t), Options{})
		mustExec(t, d, `CREATE TABLE vals (
			id INTEGER PRIMARY KEY, i BIGINT, f DOUBLE PRECISION, s TEXT,
			bin `+blobType(b.name)+`, ok BOOLEAN, ts TIMESTAMP)`)
		blob := make([]byte, 256)
		for i := range blob {
			blob[i] = byte(i)
		}
		when := time.Date(2026, 2, 3, 4, 5, 6, 789012000, time.FixedZone("x", 3*3600))
		cases := []struct {
			name string
			col  string
			in   any
			want any
		}{
			{"int beyond 2^53", "i", int64(1)<<53 + 1, int64(1)<<53 + 1},
			{"max int64", "i", int64(math.MaxInt64), int64(math.MaxInt64)},
			{"min int64", "i", int64(math.MinInt64), int64(math.MinInt64)},
			{"int", "i", 42, int64(42)},
			{"uint64 in range", "i", uint64(math.MaxInt64), int64(math.MaxInt64)},
			{"big.Int", "i", new(big.Int).Lsh(big.NewInt(1), 62), int64(1) << 62},
			{"float", "f", 0.1, 0.1},
			{"float32", "f", float32(0.5), 0.5},
			{"string", "s", "héllo, 世界 \x00 end", "héllo, 世界 \x00 end"},
			{"empty string", "s", "", ""},
			{"blob", "bin", blob, blob},
			{"empty blob", "bin", []byte{}, []byte{}},
			{"true", "ok", true, true},
			{"false", "ok", false, false},
			{"time", "ts", when, when.UTC()},
			{"null", "s", nil, nil},
			{"null bool", "ok", nil, nil},
		}
		if b.name == PostgreSQL {
			// PostgreSQL rejects NUL in text.
			cases[8].in, cases[8].want = "héllo, 世界 end", "héllo, 世界 end"
		}
		for i, c := range cases {
			mustExec(t, d, "INSERT INTO vals (id, "+c.col+") VALUES (?, ?)", i, c.in)
			rows := mustQuery(t, d, "SELECT "+c.col+" FROM vals WHERE id = ?", i)
			got := rows[0][0].Value
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s: got %T %#v, want %T %#v", c.name, got, got, c.want, c.want)
			}
		}
		// Times compare in time order on both (on SQLite, as text).
		mustExec(t, d, "INSERT INTO vals (id, ts) VALUES (?, ?)", 100, when.Add(time.Hour))
		rows := mustQuery(t, d, "SELECT id FROM vals WHERE ts > ? ORDER BY id", when)
		if len(rows) != 1 || rows[0][0].Value != int64(100) {
			t.Errorf("time comparison: %v", rows)
		}
	})
}

// TestNumberParameters: a number goes into integer, floating point, numeric
// and text columns on both backends as SQLite would store it, exactly.
func TestNumberParameters(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testBackend) {
		d := open(t, b.dsn(t), Options{})
		mustExec(t, d, "CREATE TABLE v (id INTEGER PRIMARY KEY, i BIGINT, i4 INTEGER, f DOUBLE PRECISION, n NUMERIC, s TEXT)")
		big := int64(1)<<62 + 1
		mustExec(t, d, "INSERT INTO v (id, i, i4, f, n, s) VALUES (?, ?, ?, ?, ?, ?)", 1, big, 7, 2.5, big, big)
		mustExec(t, d, "INSERT INTO v (id, i, i4, f, n, s) VALUES (?, ?, ?, ?, ?, ?)", 2, 3.0, 4.0, int64(5), 0.25, 1.5)
		rows := mustQuery(t, d, "SELECT i, i4, f, n, s FROM v ORDER BY id")
		numeric := map[Backend][2]any{SQLite: {big, 0.25}, PostgreSQL: {"4611686018427387905", "0.25"}}[b.name]
		text := map[Backend][2]any{SQLite: {"4611686018427387905", "1.5"}, PostgreSQL: {"4611686018427387905", "1.5"}}[b.name]
		want := [][]any{
			{big, int64(7), 2.5, numeric[0], text[0]},
			{int64(3), int64(4), 5.0, numeric[1], text[1]},
		}
		for r, row := range rows {
			for c, col := range row {
				if !reflect.DeepEqual(col.Value, want[r][c]) {
					t.Errorf("row %d %s: got %T %v, want %T %v", r+1, col.Name, col.Value, col.Value, want[r][c], want[r][c])
				}
			}
		}
		if b.name == PostgreSQL {
			// A fraction is not cut to fit an integer column.
			if _, err := d.Exec(testCtx(t), "INSERT INTO v (id, i) VALUES (?, ?)", 3, 3.5); err == nil {
				t.Error("3.5 went into a BIGINT column")
			}
		}
	})
}

func TestColumnOrder(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b testBackend) {
		d := open(t, b.dsn(t), Options{})
		rows := mustQuery(t, d, "SELECT 3 AS z, 1 AS a, 2 AS m, 4 AS a")
		var names []string
		for _, c := range rows[0] {
			names = append(names, c.Name)
		}
		if want := []string{"z", "a", "m", "a"}; !reflect.DeepEqual(names, want) {
			t.Fatalf("columns %v, want %v", names, want)
		}
		if v, ok := rows[0].Get("a"); !ok || v != int64(1) {
			t.Errorf("Get(a): %v %v", v, ok)
		}
		if m := rows[0].Map(); len(m) != 3 || m["a"] != int64(4) {
			t.Errorf("Map: %v", m)
		}
		if empty := mustQuery(t, d, "SELECT 1 AS x WHERE 1 = 0"); empty == nil || len(empty) != 0 {
			t.Errorf("no rows: got %#v, want an empty non-nil slice", empty)
		}
	})
}

func TestPostgresTypes(t *testing.T) {
	t.Parallel()
	for _, b := range backends() {
		if b.name != PostgreSQL {
			continue
		}
		d := open(t, b.dsn(t), Options{})
		rows := mustQuery(t, d, `SELECT 12.50::numeric AS n, '{"a": [1, 2]}'::jsonb AS j, '{"b":1}'::json AS js,
			'0b9e4f7a-1c2d-4e5f-8a9b-0c1d2e3f4a5b'::uuid AS u, ARRAY[1,2,3] AS arr,
			'2026-02-03'::date AS d, '2026-02-03 04:05:06.5+02'::timestamptz AS tz, 7::smallint AS small, 1.5::real AS r`)
		want := Row{
			{"n", "12.50"},
			{"j", `{"a": [1, 2]}`},
			{"js", `{"b":1}`},
			{"u", "0b9e4f7a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"},
			{"arr", "{1,2,3}"},
			{"d", time.Date(2026, 2, 3, 0, 0, 0, 0, time.UTC)},
			{"tz", time.Date(2026, 2, 3, 2, 5, 6, 500000000, time.UTC)},
			{"small", int64(7)},
			{"r", 1.5},
		}
		if !reflect.DeepEqual(rows[0], want) {
			t.Fatalf("got  %#v\nwant %#v", rows[0], want)
		}
		// Parameters into those types: JSON as text, a time into timestamptz.
		mustExec(t, d, "CREATE TABLE docs (id INTEGER PRIMARY KEY, doc JSONB, at TIMESTAMPTZ, price NUMERIC)")
		at := time.Date(2026, 5, 6, 7, 8, 9, 123456000, time.FixedZone("y", -5*3600))
		mustExec(t, d, "INSERT INTO docs (id, doc, at, price) VALUES (?, ?, ?, ?)", 1, `{"k": "v"}`, at, "19.99")
		rows = mustQuery(t, d, "SELECT doc->>'k' AS k, at, price FROM docs WHERE doc ? 'k' AND id = $1", 1)
		if len(rows) != 1 || rows[0][0].Value != "v" || rows[0][1].Value != at.UTC() || rows[0][2].Value != "19.99" {
			t.Fatalf("jsonb/timestamptz/numeric parameters: %v", rows)
		}
	}
}
