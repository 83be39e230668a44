package main

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// targetsScript exercises chained targets end to end.
const targetsScript = `
import { io } from "eventhost";
export function id(socket) { return socket.id }
export function join(socket, rooms) { for (const r of rooms) socket.join(r); return socket.rooms }
export function both(socket, { a, b, text }) { return io.to(a).to(b).emit("both", text) }
export function peers(socket, { a, b, text }) { return socket.to(a).to(b).emit("peers", text) }
export function direct(socket, { id, text }) { return io.to(id).emit("direct", text) }
export function except(socket, { room, id, text }) { return io.to(room).except(id).emit("except", text) }
export function mark(socket, n) { return io.emit("mark", n) }
export async function count(socket, { rooms, except }) {
  let t = io.in(rooms);
  if (except) t = t.except(except);
  return await t.count();
}
`

// TestChainedTargets: io.to(a).to(b) reaches a member of both rooms once,
// socket.to(a).to(b) leaves the sender out, io.to(socket.id) reaches one
// connection, except leaves ids out, and await count() counts as the emits
// reach, on a real server with real clients.
func TestChainedTargets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "t/targets.js"), targetsScript)
	srv := startServer(t, "-scripts", dir)
	ada, bob, cal, eve := dial(t, srv.url), dial(t, srv.url), dial(t, srv.url), dial(t, srv.url)
	ada.ok("t.targets.join", `["a","b"]`, `["a","b"]`)
	bob.ok("t.targets.join", `["a"]`, `["a"]`)
	cal.ok("t.targets.join", `["b"]`, `["b"]`)
	idOf := func(c *client) string {
		var id string
		if f := c.call("t.targets.id", ""); f.err != nil || json.Unmarshal(f.data, &id) != nil || id == "" {
			t.Fatalf("id: %s", f.raw)
		}
		return id
	}
	adaID, bobID := idOf(ada), idOf(bob)

	// expect checks that each member's next pushes are the events given, in
	// order, and that the mark eve then sends to everyone comes next: no
	// second copy of a push, and no push to a connection left out.
	mark := 0
	expect := func(what string, want map[*client][]string) {
		t.Helper()
		mark++
		got, pushes := eve.reply(eve.request("t.targets.mark", jsonText(t, mark)))
		if string(got.data) != "4" {
			t.Fatalf("%s: mark reached %s", what, got.data)
		}
		if len(pushes) != 1 || pushes[0].event != "mark" { // eve is in no room

			t.Fatalf("%s: eve got %d pushes before its mark's reply", what, len(pushes))
		}
		names := map[*client]string{ada: "ada", bob: "bob", cal: "cal"}
		for _, c := range []*client{ada, bob, cal} {
			for _, event := range want[c] {
				if p := c.next(); p.event != event {
					t.Fatalf("%s: %s got %s, want %s", what, names[c], p.raw, event)
				}
			}
			if p := c.next(); p.event != "mark" || string(p.data) != jsonText(t, mark) {
				t.Fatalf("%s: %s got %s, want mark %d", what, names[c], p.raw, mark)
			}
		}
	}

	// io.to(a).to(b): ada, in both, gets one copy.
	eve.ok("t.targets.both", `{"a":"a","b":"b","text":"x"}`, `3`)
	expect("io.to(a).to(b)", map[*client][]string{ada: {"both"}, bob: {"both"}, cal: {"both"}})

	// socket.to(a).to(b) from ada: the others, not ada.
	got, pushes := ada.reply(ada.request("t.targets.peers", `{"a":"a","b":"b","text":"y"}`))
	if string(got.data) != "2" || len(pushes) != 0 {
		t.Fatalf("socket.to(a).to(b) reached %s, the sender got %d pushes", got.data, len(pushes))
	}
	expect("socket.to(a).to(b)", map[*client][]string{bob: {"peers"}, cal: {"peers"}})

	// io.to(socket.id): one connection, in no room of that name.
	eve.ok("t.targets.direct", `{"id":"`+bobID+`","text":"z"}`, `1`)
	expect("io.to(socket.id)", map[*client][]string{bob: {"direct"}})

	// except(id): ada left out of room a.
	eve.ok("t.targets.except", `{"room":"a","id":"`+adaID+`","text":"w"}`, `1`)
	expect("io.to(a).except(id)", map[*client][]string{bob: {"except"}})

	// await count(): as the emits reach, on one node.
	eve.ok("t.targets.count", `{"rooms":"a"}`, `{"count":2,"nodes":1,"partial":false}`)
	eve.ok("t.targets.count", `{"rooms":["a","b"]}`, `{"count":3,"nodes":1,"partial":false}`)
	eve.ok("t.targets.count", `{"rooms":["a","b"],"except":"`+adaID+`"}`, `{"count":2,"nodes":1,"partial":false}`)
	eve.ok("t.targets.count", `{"rooms":"`+bobID+`"}`, `{"count":1,"nodes":1,"partial":false}`)
	eve.ok("t.targets.count", `{"rooms":"nobody"}`, `{"count":0,"nodes":1,"partial":false}`)
}

// jsonText is v as JSON text.
func jsonText(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
