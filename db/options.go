package db

// Defaults for the zero fields of Options.
const (
	// DefaultMaxOpenConns is the connection pool size when
	// Options.MaxOpenConns is zero.
	DefaultMaxOpenConns = 10
	// DefaultMaxRows is the per-query row cap when Options.MaxRows is zero.
	DefaultMaxRows = 10000
	// DefaultBusyTimeoutMillis is how long an SQLite connection waits for a
	// lock held by another connection or process before failing with
	// SQLITE_BUSY.
	DefaultBusyTimeoutMillis = 5000
	// DefaultSQLitePath is the SQLite file that the data source "" opens.
	DefaultSQLitePath = "data/eventhost.db"
)

// Options tunes a DB. The zero value is usable: every zero field takes the
// default named beside it.
type Options struct {
	// MaxOpenConns caps the open connections: on PostgreSQL the whole pool,
	// on SQLite the readers (SQLite writes always go through one
	// connection). Zero means DefaultMaxOpenConns.
	MaxOpenConns int
	// MaxRows caps the rows one Query may return; a query producing more
	// fails with a *RowLimitError. Zero means DefaultMaxRows; negative means
	// no cap.
	MaxRows int
	// BusyTimeoutMillis is SQLite's busy_timeout. Zero means
	// DefaultBusyTimeoutMillis. Ignored on PostgreSQL.
	BusyTimeoutMillis int
}

// withDefaults returns o with its zero fields filled in. It is the one place
// that applies defaults.
func (o Options) withDefaults() Options {
	if o.MaxOpenConns <= 0 {
		o.MaxOpenConns = DefaultMaxOpenConns
	}
	if o.MaxRows == 0 {
		o.MaxRows = DefaultMaxRows
	}
	if o.BusyTimeoutMillis <= 0 {
		o.BusyTimeoutMillis = DefaultBusyTimeoutMillis
	}
	return o
}
