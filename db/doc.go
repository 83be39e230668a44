// Package db is the SQL layer that handlers reach: one API over an embedded
// SQLite file (the default, modernc.org/sqlite, no cgo) and PostgreSQL (pgx's
// database/sql driver, the backend for several nodes). Open picks the backend
// from the data source; Query, Exec and Tx run statements with bound
// parameters; Migrate applies a folder of plain .sql files.
//
// # Placeholders
//
// Write "?" for every parameter, on both backends. On PostgreSQL each "?"
// outside string literals ('...', E'...', $tag$...$tag$), quoted identifiers
// and comments is rewritten to $1, $2, ... in order, so the same SQL runs on
// both. "?NNN" (SQLite's numbered form) becomes $NNN, and a bare "?" after it
// takes the next number, as in SQLite. A statement that already uses $n placeholders is passed to PostgreSQL
// unchanged (that is how to use the jsonb operators ?, ?| and ?&). Parameters
// are always bound by the driver, never spliced into the SQL text.
// PostgreSQL infers a parameter's type from where it stands; a bare "?" with
// nothing to infer from (SELECT ?) is text there (a number is sent as its
// decimal text), so write CAST(? AS BIGINT) when the type matters.
//
// # Parameter values (Go to SQL)
//
//	nil                          NULL
//	bool                         SQLite INTEGER 1/0; PostgreSQL boolean
//	int64 (and int, int8..int32, uint8..uint32, uint and uint64 up to 2^63-1,
//	  *big.Int within int64)    INTEGER / bigint, exactly, beyond 2^53 too
//	float64, float32             REAL / double precision
//	string                       TEXT / text (or whatever PostgreSQL infers)
//	[]byte                       BLOB / bytea
//	time.Time                    converted to UTC; SQLite stores the text
//	                             "2006-01-02 15:04:05.999999999+00:00", which
//	                             SQLite's date functions read and which sorts
//	                             in time order; PostgreSQL timestamp(tz)/date
//
// On PostgreSQL a number binds to whatever numeric or text type the server
// inferred for its placeholder, exactly (an int64 into numeric keeps every
// digit), as SQLite's column affinity would store it; a float with a fraction
// bound to an integer column is an error there rather than cut. Any other
// type, or an integer outside int64, fails with ErrUnsupportedValue naming the
// parameter.
//
// # Column values (SQL to Go)
//
// A Row keeps the columns in the query's order. The Go value of a column is:
//
//	NULL                          nil
//	SQLite INTEGER                int64, or bool when the column is declared
//	                              BOOLEAN or BOOL
//	SQLite REAL                   float64
//	SQLite TEXT                   string, or time.Time (UTC) when the column is
//	                              declared DATE, DATETIME or TIMESTAMP and the
//	                              text parses as a time
//	SQLite BLOB                   []byte
//	PostgreSQL smallint/int/bigint int64
//	PostgreSQL real/double        float64
//	PostgreSQL boolean            bool
//	PostgreSQL bytea              []byte
//	PostgreSQL timestamp, timestamptz, date
//	                              time.Time in UTC (±infinity: the string)
//	PostgreSQL json, jsonb, xml   string (the document's text)
//	PostgreSQL numeric            string, exact ("12.50")
//	PostgreSQL uuid               string ("0b9e...-...")
//	PostgreSQL arrays and any other type
//	                              string in PostgreSQL's text form ("{1,2,3}");
//	                              select to_json(col) for a JSON string instead
//
// SQLite types are those of the stored value (SQLite is dynamically typed), so
// an expression such as 1 = 1 is the int64 1 on SQLite and true on PostgreSQL;
// declare boolean columns BOOLEAN for bools on both.
//
// # Writers on SQLite
//
// SQLite allows one writer at a time. A DB on SQLite keeps one writer
// connection, through which every Exec, every Tx and every Query that does not
// start with SELECT goes, so concurrent writers in this process wait their
// turn in Go (and give up when their context ends) instead of failing with
// "database is locked"; other processes are waited for through busy_timeout.
// Queries starting with SELECT run on a pool of read-only connections beside
// the writer (WAL). Transactions begin with BEGIN IMMEDIATE. Inside a Tx, use
// the Tx's methods: a DB.Exec there waits for the transaction to end.
//
// # Cancellation
//
// Every call takes a context.Context; when it ends, the statement running on
// its behalf is interrupted (sqlite3_interrupt on SQLite, a cancel request on
// PostgreSQL), the call returns the context's error, and a Tx rolls back.
//
// # Goroutines
//
// A DB is safe for concurrent use; it starts no goroutines of its own beyond
// the drivers' (database/sql's pool opener, each driver's cancellation
// watcher), which Close stops. A Tx belongs to the one call of the function
// given to DB.Tx and must not be used after it returns.
package db
