package cluster

import (
	"encoding/base64"
	"strings"
)

// subjects are the NATS subjects of one cluster (one Prefix). Names of
// namespaces, rooms and nodes are base64url-encoded (no padding) into
// single subject tokens, so that any name is a valid, wildcard-free token.
type subjects struct {
	prefix string
	all    string // pushes every node takes: whole namespace, several rooms, socket ids
	count  string // count requests
	disc   string // disconnect requests
	nodes  string // announces, hellos and leaves
	reply  string // this node's reply inbox, without the final token
}

func newSubjects(prefix, nodeID string) subjects {
	return subjects{
		prefix: prefix,
		all:    prefix + ".all",
		count:  prefix + ".count",
		disc:   prefix + ".disconnect",
		nodes:  prefix + ".nodes",
		reply:  prefix + ".reply." + token(nodeID),
	}
}

// room is the subject of single-room pushes to room of namespace ns.
func (s *subjects) room(ns, room string) string {
	var b strings.Builder
	b.Grow(len(s.prefix) + 7 + base64.RawURLEncoding.EncodedLen(len(ns)) + base64.RawURLEncoding.EncodedLen(len(room)))
	b.WriteString(s.prefix)
	b.WriteString(".room.")
	b.WriteString(token(ns))
	b.WriteByte('.')
	b.WriteString(token(room))
	return b.String()
}

// token encodes a name as one subject token. The empty name is "_": a
// token cannot be empty, and no non-empty name encodes to one character.
func token(name string) string {
	if name == "" {
		return "_"
	}
	return base64.RawURLEncoding.EncodeToString([]byte(name))
}

// validPrefix reports whether p can start subjects: dot-separated
// non-empty tokens without wildcards or white space.
func validPrefix(p string) bool {
	if p == "" {
		return false
	}
	for _, tok := range strings.Split(p, ".") {
		if tok == "" || strings.ContainsAny(tok, "*> \t\r\n") {
			return false
		}
	}
	return true
}
