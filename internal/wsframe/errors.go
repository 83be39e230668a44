package wsframe

import "errors"

// ErrNotObject is returned when a text frame, or a binary frame's envelope,
// is not a JSON object.
var ErrNotObject = errors.New("wsframe: not a JSON object")

// ErrBinaryData is returned for a binary frame whose envelope has a data
// member: a binary frame's data is its payload.
var ErrBinaryData = errors.New("wsframe: a binary frame's envelope has data")
