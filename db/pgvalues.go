package db

import (
	"fmt"
	"math"
	"math/big"
	"strconv"

	"github.com/jackc/pgx/v5/pgtype"
)

// pgNumber carries a numeric parameter to pgx so that it encodes into
// whichever type PostgreSQL inferred for the placeholder, as SQLite would take
// it: integer and floating point columns, numeric, and text (a bare "?" or a
// TEXT column). pgx finds its encoding through the Valuer interfaces below; a
// float with a fraction bound to an integer column is an error instead of
// being cut to an integer.
type pgNumber struct {
	i       int64
	f       float64
	isFloat bool
}

// Int64Value implements pgtype.Int64Valuer.
func (n pgNumber) Int64Value() (pgtype.Int8, error) {
	if !n.isFloat {
		return pgtype.Int8{Int64: n.i, Valid: true}, nil
	}
	if n.f != math.Trunc(n.f) || n.f < math.MinInt64 || n.f >= math.MaxInt64 {
		return pgtype.Int8{}, fmt.Errorf("%w: %v is not an int64 for an integer column", ErrUnsupportedValue, n.f)
	}
	return pgtype.Int8{Int64: int64(n.f), Valid: true}, nil
}

// Float64Value implements pgtype.Float64Valuer.
func (n pgNumber) Float64Value() (pgtype.Float8, error) {
	if n.isFloat {
		return pgtype.Float8{Float64: n.f, Valid: true}, nil
	}
	return pgtype.Float8{Float64: float64(n.i), Valid: true}, nil
}

// TextValue implements pgtype.TextValuer.
func (n pgNumber) TextValue() (pgtype.Text, error) {
	if n.isFloat {
		return pgtype.Text{String: strconv.FormatFloat(n.f, 'g', -1, 64), Valid: true}, nil
	}
	return pgtype.Text{String: strconv.FormatInt(n.i, 10), Valid: true}, nil
}

// NumericValue implements pgtype.NumericValuer, so that an int64 reaches a
// numeric column exactly (pgx would otherwise prefer Float64Value).
func (n pgNumber) NumericValue() (pgtype.Numeric, error) {
	if !n.isFloat {
		return pgtype.Numeric{Int: big.NewInt(n.i), Valid: true}, nil
	}
	var num pgtype.Numeric
	s := strconv.FormatFloat(n.f, 'f', -1, 64)
	switch {
	case math.IsNaN(n.f):
		s = "NaN"
	case math.IsInf(n.f, 1):
		s = "Infinity"
	case math.IsInf(n.f, -1):
		s = "-Infinity"
	}
	if err := num.Scan(s); err != nil {
		return pgtype.Numeric{}, fmt.Errorf("%w: %v as numeric: %w", ErrUnsupportedValue, n.f, err)
	}
	return num, nil
}
