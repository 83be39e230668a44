package engine

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

const targetsModule = `
import { io } from "eventhost";
export function chains(socket) {
  const lobby = io.to("lobby");
  return [
    io.to("a").to("b").emit("e", 1),
    io.in("a").except("X").emit("e", 2),
    io.to(["a", "b"]).in("c").emit("e", 3),
    io.except(["X", "Y"]).emit("e", 4),
    io.to(socket.id).emit("e", 5),
    lobby.to("kitchen").emit("e", 6),
    lobby.emit("e", 7),
    socket.to("a").to("b").emit("e", 8),
    socket.in("a").except("X").emit("e", 9),
    socket.broadcast.to("a").emit("e", 10),
    socket.broadcast.emit("e", 11),
    socket.except("X").emit("e", 12),
    io.of("/chat").to("a").except(["X"]).emit("e", 13),
    io.of("/chat").except("X").to("a").emit("e", 14),
  ];
}
export function bad(socket, kind) {
  try {
    switch (kind) {
      case "empty": io.to(""); break;
      case "emptyList": io.to([]); break;
      case "number": io.to(1); break;
      case "listOfNumbers": io.in(["a", 1]); break;
      case "exceptNothing": io.except(); break;
      case "socketTo": socket.to(""); break;
      case "chained": io.to("a").to(null); break;
      case "detached": { const { emit } = io.to("a"); emit("x"); break; }
      case "detachedCount": { const { count } = io.to("a"); count(); break; }
    }
  } catch (e) { return e instanceof TypeError }
  return "no error";
}
export function keys(socket) { return [Object.keys(io.to("a")), "count" in io.to("a"), "x" in io.to("a")] }
export async function counts(socket, room) {
  return [await io.in(room).count(), await socket.to(room).except("X").count(), await io.of("/chat").count?.()];
}
export function countIsAPromise(socket) { return io.in("r").count() instanceof Promise }
export async function countOne(socket, room) { return await io.in(room).count() }
export function ping() { return "pong" }
`

func TestTargetChains(t *testing.T) {
	t.Parallel()
	hub := &recordingHub{}
	e := newEngine(t, map[string]string{"t.js": targetsModule}, Config{PoolSize: 1, Hub: hub})
	ok(t, runCall(t, e, context.Background(), newSocket("S"), "t.chains", ""), `[4,1,6,1,2,4,2,3,0,1,2,1,1,1]`)
	want := []string{
		"a,b e 1",
		"a -X e 2",
		"a,b,c e 3",
		"all -X,Y e 4",
		"S e 5",
		"lobby,kitchen e 6",
		"lobby e 7", // lobby.to(...) left lobby as it was
		"a,b -S e 8",
		"a -S,X e 9",
		"a -S e 10",
		"all -S e 11",
		"all -S,X e 12",
		"/chat a -X e 13",
		"/chat a -X e 14",
	}
	if !slices.Equal(hub.sent, want) {
		t.Errorf("hub\n%q\nwant\n%q", hub.sent, want)
	}
}

func TestTargetBadArguments(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"t.js": targetsModule}, Config{PoolSize: 1, Hub: &recordingHub{}})
	for _, kind := range []string{"empty", "emptyList", "number", "listOfNumbers", "exceptNothing", "socketTo", "chained", "detached", "detachedCount"} {
		t.Run(kind, func(t *testing.T) {
			ok(t, runCall(t, e, context.Background(), newSocket("S"), "t.bad", `"`+kind+`"`), "true")
		})
	}
	ok(t, runCall(t, e, context.Background(), newSocket("S"), "t.keys", ""), `[["emit","to","in","except","count"],true,false]`)
}

func TestTargetCount(t *testing.T) {
	t.Parallel()
	hub := &recordingHub{}
	e := newEngine(t, map[string]string{"t.js": targetsModule}, Config{PoolSize: 1, Hub: hub})
	ctx := context.Background()
	ok(t, runCall(t, e, ctx, newSocket("S"), "t.countIsAPromise", ""), "true")
	// io.in(room) counts the room; a socket's target leaves the socket out
	// (and the ids it is told to); a namespace object has no count.
	ok(t, runCall(t, e, ctx, newSocket("S"), "t.counts", `"lobby"`),
		`[{"count":5,"nodes":1,"partial":false},{"count":3,"nodes":1,"partial":false},null]`)

	// A cluster that could not be asked gives what was counted, partial.
	hub.count = func(_ context.Context, tg Target) (RoomCount, error) {
		return RoomCount{Count: 2, Nodes: 2}, errors.New("nats: no responders")
	}
	ok(t, runCall(t, e, ctx, newSocket("S"), "t.countOne", `"lobby"`), `{"count":2,"nodes":2,"partial":true}`)
	hub.count = func(_ context.Context, tg Target) (RoomCount, error) {
		if tg.Namespace != "/" || !slices.Equal(tg.Rooms, []string{"lobby"}) || tg.Except != nil {
			return RoomCount{}, errors.New("unexpected target")
		}
		return RoomCount{Count: 7, Nodes: 3, Partial: true}, nil
	}
	ok(t, runCall(t, e, ctx, newSocket("S"), "t.countOne", `"lobby"`), `{"count":7,"nodes":3,"partial":true}`)
}

// TestCountWithoutHub: a single node with no Hub counts nobody, not partial.
func TestCountWithoutHub(t *testing.T) {
	t.Parallel()
	e := newEngine(t, map[string]string{"t.js": targetsModule}, Config{PoolSize: 1})
	ok(t, runCall(t, e, context.Background(), newSocket("S"), "t.countOne", `"lobby"`), `{"count":0,"nodes":1,"partial":false}`)
	ok(t, runCall(t, e, context.Background(), newSocket("S"), "t.chains", ""), `[0,0,0,0,0,0,0,0,0,0,0,0,0,0]`)
}

// TestCountDoesNotHoldTheWorker: while a count waits on the other nodes,
// the only VM serves other calls; the count resolves when they answer.
func TestCountDoesNotHoldTheWorker(t *testing.T) {
	t.Parallel()
	asked := make(chan struct{}, 1)
	answer := make(chan RoomCount)
	hub := &recordingHub{count: func(ctx context.Context, _ Target) (RoomCount, error) {
		asked <- struct{}{}
		select {
		case rc := <-answer:
			return rc, nil
		case <-ctx.Done():
			return RoomCount{}, ctx.Err()
		}
	}}
	e := newEngine(t, map[string]string{"t.js": targetsModule}, Config{PoolSize: 1, Hub: hub})
	ctx := context.Background()
	counting := start(e, ctx, newSocket("S"), "t.countOne", `"lobby"`)
	select {
	case <-asked:
	case <-time.After(10 * time.Second):
		t.Fatal("the hub was not asked to count within 10s")
	}
	ok(t, runCall(t, e, ctx, newSocket("T"), "t.ping", ""), `"pong"`)
	select {
	case <-counting.finished:
		t.Fatalf("the count was answered before the nodes answered: %s %v", counting.res.Data, counting.err)
	default:
	}
	answer <- RoomCount{Count: 4, Nodes: 2}
	select {
	case <-counting.finished:
	case <-time.After(10 * time.Second):
		t.Fatal("the count was not answered within 10s of the nodes answering")
	}
	ok(t, counting, `{"count":4,"nodes":2,"partial":false}`)
}

// TestCountBoundedByTheCall: a count that the other nodes never answer
// ends with its call: the hub's context ends, and the call is answered
// with its own deadline's error.
func TestCountBoundedByTheCall(t *testing.T) {
	t.Parallel()
	ended := make(chan error, 1)
	hub := &recordingHub{count: func(ctx context.Context, _ Target) (RoomCount, error) {
		<-ctx.Done() // never answered: only the call's end stops it
		ended <- ctx.Err()
		return RoomCount{}, ctx.Err()
	}}
	e := newEngine(t, map[string]string{"t.js": targetsModule}, Config{PoolSize: 1, Hub: hub})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	o := runCall(t, e, ctx, newSocket("S"), "t.countOne", `"lobby"`)
	if !errors.Is(o.err, context.DeadlineExceeded) {
		t.Errorf("call: %s, %v; want the deadline's error", o.res.Data, o.err)
	}
	select {
	case err := <-ended:
		if err == nil {
			t.Error("the hub's context ended without an error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the hub's count was still running 10s after its call ended")
	}
}
