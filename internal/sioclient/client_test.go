package sioclient_test

import (
	"testing"

	"github.com/eventhost/eventhost/internal/sioclient"
)

// TestClientAgainstReference validates the driver against the npm socket.io
// server: what RunBehaviours expects is what the reference does, so that
// the same call checks eventhost.
func TestClientAgainstReference(t *testing.T) {
	sioclient.RunBehaviours(t, sioclient.StartReference(t))
}
