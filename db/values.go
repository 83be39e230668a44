package db

import (
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"
)

// bindArgs converts script parameters to the values the backend's driver
// binds, following the mapping in the package documentation.
func bindArgs(b Backend, params []any) ([]any, error) {
	if len(params) == 0 {
		return nil, nil
	}
	out := make([]any, len(params))
	for i, p := range params {
		v, err := bindValue(b, p)
		if err != nil {
			return nil, fmt.Errorf("parameter %d: %w", i+1, err)
		}
		if b == PostgreSQL {
			switch x := v.(type) {
			case int64:
				v = pgNumber{i: x}
			case float64:
				v = pgNumber{f: x, isFloat: true}
			}
		}
		out[i] = v
	}
	return out, nil
}

func bindValue(b Backend, p any) (any, error) {
	switch v := p.(type) {
	case nil, string, []byte, bool, int64, float64:
		return v, nil
	case int:
		return int64(v), nil
	case int8:
		return int64(v), nil
	case int16:
		return int64(v), nil
	case int32:
		return int64(v), nil
	case uint8:
		return int64(v), nil
	case uint16:
		return int64(v), nil
	case uint32:
		return int64(v), nil
	case uint:
		return uintValue(uint64(v))
	case uint64:
		return uintValue(v)
	case float32:
		return float64(v), nil
	case *big.Int:
		if v == nil {
			return nil, nil
		}
		if !v.IsInt64() {
			return nil, fmt.Errorf("%w: integer %s is outside the int64 range", ErrUnsupportedValue, v)
		}
		return v.Int64(), nil
	case time.Time:
		// UTC on both: SQLite stores the text form, which then sorts in time
		// order; PostgreSQL's timestamp (without zone) keeps the UTC clock.
		return v.UTC(), nil
	default:
		return nil, fmt.Errorf("%w: type %T", ErrUnsupportedValue, p)
	}
}

func uintValue(u uint64) (any, error) {
	if u > math.MaxInt64 {
		return nil, fmt.Errorf("%w: integer %d is outside the int64 range", ErrUnsupportedValue, u)
	}
	return int64(u), nil
}

// columnValue converts a value scanned from the driver to the mapping in the
// package documentation. dbType is the column's database type name as the
// driver reports it (upper case).
func columnValue(b Backend, dbType string, v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC()
	case int64:
		if b == SQLite && isBoolType(dbType) {
			return x != 0
		}
	case []byte:
		if x == nil {
			// An empty BLOB, not NULL (NULL comes as an untyped nil).
			return []byte{}
		}
		if b == PostgreSQL {
			switch dbType {
			case "JSON", "JSONB", "XML":
				return string(x)
			}
		}
	}
	return v
}

// isBoolType reports whether an SQLite declared type names a boolean column.
func isBoolType(dbType string) bool {
	switch strings.ToUpper(dbType) {
	case "BOOLEAN", "BOOL":
		return true
	}
	return false
}
