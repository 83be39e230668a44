package wire

import "errors"

// Decode errors. Every error returned by a decoder of this package wraps one
// of these; branch with errors.Is. All of them mean "malformed input": the
// reference server closes the connection on each.
var (
	// ErrEmptyPacket is an empty frame or polling record.
	ErrEmptyPacket = errors.New("wire: empty packet")
	// ErrUnknownType is a packet type character outside the protocol's set.
	ErrUnknownType = errors.New("wire: unknown packet type")
	// ErrBase64 is a polling record "b..." whose payload is not base64.
	ErrBase64 = errors.New("wire: invalid base64 payload")
	// ErrAttachments is a binary packet header whose attachment count is not
	// a number followed by '-'.
	ErrAttachments = errors.New("wire: illegal attachments")
	// ErrTooManyAttachments is an attachment count over the decoder's maximum.
	ErrTooManyAttachments = errors.New("wire: too many attachments")
	// ErrAckID is an ack id that is not a number, does not fit in an int64,
	// is missing on an ACK, or is present on a packet type that takes none.
	ErrAckID = errors.New("wire: invalid ack id")
	// ErrJSON is a payload that is not one valid JSON value.
	ErrJSON = errors.New("wire: invalid JSON")
	// ErrPayload is valid JSON of the wrong shape for the packet type (for
	// example "42{}", an EVENT whose payload is not an array).
	ErrPayload = errors.New("wire: invalid payload")
	// ErrUnexpectedText is a text packet while binary attachments are awaited.
	ErrUnexpectedText = errors.New("wire: text packet while attachments are awaited")
	// ErrUnexpectedBinary is a binary frame while no attachment is awaited.
	ErrUnexpectedBinary = errors.New("wire: binary frame while no attachment is awaited")
)
