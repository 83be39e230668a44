package webapi

import "errors"

var (
	// ErrNilRuntime is returned by Install when given no runtime.
	ErrNilRuntime = errors.New("webapi: nil runtime")
	// ErrDefined is returned by Install when the runtime already has one of
	// the names it defines.
	ErrDefined = errors.New("webapi: global already defined")
)

// MaxInputBytes caps the bytes that one native call reads or produces:
// TextEncoder.encode/encodeInto, TextDecoder.decode, atob, btoa,
// crypto.subtle.digest, sign, verify and importKey. goja cannot interrupt
// native Go code, so the cap bounds how long one such call can hold its VM
// (tens of milliseconds at the cap). A larger input throws (or rejects
// with) a RangeError that names the operation and the limit.
const MaxInputBytes = 32 << 20
