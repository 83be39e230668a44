package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/protocol"
)

// Metrics is the host's Observer.
var _ host.Observer = (*Metrics)(nil)

// The protocol label's values, indexed by protocolIndex.
var protocolNames = [...]string{host.ProtocolNative, host.ProtocolSocketIO, "other"}

const nProtocols = len(protocolNames)

func protocolIndex(p string) int {
	switch p {
	case host.ProtocolNative:
		return 0
	case host.ProtocolSocketIO:
		return 1
	}
	return 2
}

// protoSeries are a protocol's series, resolved once.
type protoSeries struct {
	in, out        pair // frames and bytes
	open           prometheus.Gauge
	accepted, slow prometheus.Counter
}

// The code label's values: host.CodeOK, the protocol's wire codes, and
// "other" for a code a script made up.
var codeNames = [...]string{
	string(host.CodeOK),
	string(protocol.CodeBadRequest),
	string(protocol.CodeUnknownEvent),
	string(protocol.CodeHandlerError),
	string(protocol.CodeTimeout),
	string(protocol.CodeOverloaded),
	string(protocol.CodePayloadTooLarge),
	string(protocol.CodeUnauthorized),
	string(protocol.CodeInternal),
	"other",
}

const nCodes = len(codeNames)

func codeIndex(c protocol.Code) int {
	for i, n := range codeNames[:nCodes-1] {
		if string(c) == n {
			return i
		}
	}
	return nCodes - 1
}

// knownReasons are the disconnect reasons the label takes; any other is
// "other".
var knownReasons = map[string]bool{
	host.ReasonClientClosed: true, host.ReasonServerShutdown: true, host.ReasonPingTimeout: true,
	host.ReasonSlowConsumer: true, host.ReasonClosedByScript: true, host.ReasonFrameTooLarge: true,
	host.ReasonProtocolError: true, host.ReasonConnectionLost: true,
}

// knownRefusals are the refusal reasons the label takes; any other is
// "other".
var knownRefusals = map[string]bool{
	host.RefusedOrigin: true, host.RefusedAuth: true, host.RefusedHook: true, host.RefusedShutdown: true,
}

// Answered counts an answer by event and code, and observes its duration
// when the request was queued (the host's refusals before queueing have
// none).
func (m *Metrics) Answered(a host.Answer) {
	ev := m.event(a.Event)
	ev.codes[codeIndex(a.Code)].add(1)
	if a.Duration > 0 {
		ev.duration.observe(a.Duration)
	}
}

// ConnOpened counts an accepted connection.
func (m *Metrics) ConnOpened(proto string) {
	p := &m.protos[protocolIndex(proto)]
	p.accepted.Inc()
	p.open.Inc()
}

// ConnRefused counts a refused handshake.
func (m *Metrics) ConnRefused(proto, reason string) {
	if !knownRefusals[reason] {
		reason = "other"
	}
	m.refused.WithLabelValues(protocolNames[protocolIndex(proto)], reason).Inc()
}

// ConnClosed counts a connection that ended, and a slow consumer apart.
func (m *Metrics) ConnClosed(proto, reason string) {
	i := protocolIndex(proto)
	p := &m.protos[i]
	p.open.Dec()
	if reason == host.ReasonSlowConsumer {
		p.slow.Inc()
	}
	if !knownReasons[reason] {
		reason = "other"
	}
	m.disconnects.WithLabelValues(protocolNames[i], reason).Inc()
}

// FrameIn counts a frame received.
func (m *Metrics) FrameIn(proto string, n int) {
	m.protos[protocolIndex(proto)].in.add(n)
}

// FrameOut counts a frame queued for a client.
func (m *Metrics) FrameOut(proto string, n int) {
	m.protos[protocolIndex(proto)].out.add(n)
}
