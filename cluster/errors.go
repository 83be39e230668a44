package cluster

import "errors"

var (
	// ErrNotConnected reports that the node has no NATS connection at the
	// moment: the other nodes do not get the push, or do not answer.
	ErrNotConnected = errors.New("cluster: not connected to NATS")
	// ErrClosed reports that the Node was closed.
	ErrClosed = errors.New("cluster: node closed")
	// ErrIncomplete reports that some known nodes did not answer in time.
	ErrIncomplete = errors.New("cluster: some nodes did not answer")
	// ErrMalformed reports a message from the cluster that cannot be decoded.
	ErrMalformed = errors.New("cluster: malformed message")
	// ErrOptions reports unusable Options.
	ErrOptions = errors.New("cluster: bad options")
)
