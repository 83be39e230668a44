// Package wire owns the Engine.IO v4 and Socket.IO v5 wire formats: decoding
// client frames and polling bodies, and encoding what the server sends. It
// does no I/O and imports nothing of the host.
//
// # Layers
//
// An Engine.IO packet is a type character and a payload (EngineType,
// EnginePacket). Over WebSocket each packet is one frame (DecodePacket,
// AppendPacket); a binary frame is a binary message with no prefix. Over
// HTTP long-polling a body holds packets separated by 0x1e, binary ones as
// "b<base64>" (SplitPayload, AppendPayload).
//
// A Socket.IO packet is the payload of an Engine.IO Message:
// <type>[<attachments>-][<namespace>,][<ack id>][<JSON>]. Decode parses one;
// a Decoder also collects the binary attachments of a BINARY_EVENT or
// BINARY_ACK. The Socket.IO encoders (AppendEvent, AppendAck, AppendConnect,
// AppendConnectError, AppendDisconnect, Packet.Append) write the Socket.IO
// packet only: the caller writes the Engine.IO Message byte '4' first, so
// that "44/x,{...}" on the wire is Message + AppendConnectError.
//
// # Strictness
//
// Decoding refuses what the reference parser refuses (an unknown type, an
// EVENT payload that is not an array starting with a non-reserved name, a
// non-numeric ack id, more attachments than the limit, an attachment count
// not followed by '-', a payload of the wrong shape, invalid JSON), and a
// little more where the reference lets nonsense through: an ack id on a
// packet type that takes none, an ACK without an id, an EVENT or ACK without
// a payload, an event name that is a number, an empty attachment count
// ("5-[...]"), an ack id beyond int64. Like the reference, a namespace may
// end at the end of the packet without its ',' ("40/custom"): the official
// test suite sends that.
//
// JSON is validated with the grammar of encoding/json.Valid, without
// allocating; decoded Data is a sub-slice of the input and placeholders are
// left in it for the caller to replace. When a binary packet completes, the
// Decoder checks that every placeholder's "num" indexes an attachment (the
// reference fails the same packets while replacing them); ParsePlaceholder
// recognises an argument that is a whole attachment.
//
// # Goroutines
//
// Functions are pure and safe from any goroutine. A Decoder holds one
// connection's pending binary packet and belongs to that connection's read
// loop.
package wire
