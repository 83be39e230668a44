package siosuite_test

import (
	"testing"

	"github.com/eventhost/eventhost/internal/sioclient"
	"github.com/eventhost/eventhost/internal/siosuite"
)

// TestSuiteAgainstReference runs the suite against the npm socket.io server
// it was written for: every subtest must pass there, or the port is wrong.
func TestSuiteAgainstReference(t *testing.T) {
	base := sioclient.StartReference(t)
	siosuite.Run(t, base)
}
