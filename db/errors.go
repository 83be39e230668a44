package db

import (
	"errors"
	"fmt"
)

// Sentinel errors. Branch on them with errors.Is.
var (
	// ErrTooManyRows is matched by a *RowLimitError: a query produced more
	// rows than Options.MaxRows.
	ErrTooManyRows = errors.New("db: query returned too many rows")
	// ErrUnsupportedValue is returned for a parameter whose Go type has no
	// mapping (see the package documentation), or an integer outside int64.
	ErrUnsupportedValue = errors.New("db: unsupported parameter value")
	// ErrMigrationChanged is matched by an error for a migration file whose
	// content differs from the one recorded when it was applied.
	ErrMigrationChanged = errors.New("db: applied migration has changed")
	// ErrBadDSN is returned by Open for a data source it cannot use.
	ErrBadDSN = errors.New("db: bad data source")
	// ErrClosed is returned by calls on a DB after Close.
	ErrClosed = errors.New("db: database is closed")
)

// RowLimitError is the error of a query that produced more than Limit rows.
// Its message is "db: query returned more than N rows".
type RowLimitError struct {
	// Limit is the cap that was exceeded (Options.MaxRows).
	Limit int
}

// Error implements error.
func (e *RowLimitError) Error() string {
	return fmt.Sprintf("db: query returned more than %d rows", e.Limit)
}

// Is reports whether target is ErrTooManyRows.
func (e *RowLimitError) Is(target error) bool { return target == ErrTooManyRows }

// MigrationError is the error of one migration file: applying it failed, or
// it changed after it was applied. Its message is "file: message".
type MigrationError struct {
	// File is the migration's file name, e.g. "001_notes.sql".
	File string
	// Err is the cause.
	Err error
}

// Error implements error.
func (e *MigrationError) Error() string { return e.File + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *MigrationError) Unwrap() error { return e.Err }
