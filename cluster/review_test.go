package cluster_test

import (
	"strings"
	"testing"
	"time"

	"github.com/eventhost/eventhost/cluster"
)

// heldWindow is how long the tests that hold a node's NATS traffic give a
// join to return too early: a join that waits returns only after the
// release, whatever the window.
const heldWindow = 300 * time.Millisecond

// nextPushes reads c's frames up to the marker push and returns them.
func nextPushes(t testing.TB, c *client) []string {
	t.Helper()
	var pushes []string
	for len(pushes) == 0 || !strings.Contains(pushes[len(pushes)-1], `"marker"`) {
		pushes = append(pushes, string(c.Next(t).Raw))
	}
	return pushes
}

// TestSecondJoinerWaitsForTheSubscription: while the first member's join
// of a room waits for NATS to confirm the room's subscription, a second
// member's join must wait too: an emit from another node right after it
// returns is delivered. (A connection's own calls run one at a time, so
// only another connection can join meanwhile.)
func TestSecondJoinerWaitsForTheSubscription(t *testing.T) {
	t.Parallel()
	ns := startNATS(t, -1)
	p := startProxy(t, strings.TrimPrefix(ns.ClientURL(), "nats://"))
	from := startNode(t, ns.ClientURL(), cluster.Options{})
	to := startNode(t, p.URL(), cluster.Options{})
	waitNodes(t, from, 2)
	waitNodes(t, to, 2)
	first, second := dial(t, to), dial(t, to)

	p.hold()
	idFirst := first.Request(t, "join", `"r"`)
	waitFor(t, "the first join to subscribe", func() bool { return to.node.Status().Subscriptions == 1 })
	idSecond := second.Request(t, "join", `"r"`)
	early := false
	select {
	case f := <-second.Frames():
		if f.ID != idSecond {
			t.Fatalf("got %s, want the reply to the second join", f.Raw)
		}
		early = true
		emit(from, "r", "after", `1`)             // the join returned: this must arrive
		if err := from.node.Flush(); err != nil { // it reached NATS before the release
			t.Fatal(err)
		}
	case <-time.After(heldWindow):
	}
	p.release()
	if !early {
		second.Reply(t, idSecond)
		emit(from, "r", "after", `1`)
	}
	first.Reply(t, idFirst)
	marker(from)
	if pushes := nextPushes(t, second); len(pushes) != 2 || !strings.Contains(pushes[0], `"after"`) {
		t.Fatalf("the second join returned (early: %v) before the room's subscription was confirmed: the emit right after it was lost; pushes %q", early, pushes)
	}
}
