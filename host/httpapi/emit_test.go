package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/httpapi"
	"github.com/eventhost/eventhost/internal/wstest"
)

func TestEmitEveryone(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, token, nil)
	a, b, c := s.dial(t), s.dial(t, "r1"), s.dial(t, "r2")
	// The data is compacted; the push carries it as JSON text.
	s.post(t, "/api/emit", `{"event":"news", "data": { "a" : [1, 2], "s":"x y" }}`).
		want(t, http.StatusOK, `{"ok":true,"delivered":3,"cluster":false,"published":false}`)
	for _, cl := range []*client{a, b, c} {
		cl.wantPush(t, "news", `{"a":[1,2],"s":"x y"}`)
	}
}

func TestEmitDataAbsentOrNull(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, token, nil)
	a := s.dial(t)
	for _, body := range []string{`{"event":"ping"}`, `{"event":"ping","data":null}`} {
		s.post(t, "/api/emit", body).want(t, http.StatusOK, `{"ok":true,"delivered":1,"cluster":false,"published":false}`)
		a.wantPush(t, "ping", `null`)
	}
	s.post(t, "/api/emit", `{"event":"n","data":42.5}`).want(t, http.StatusOK, `{"ok":true,"delivered":1,"cluster":false,"published":false}`)
	a.wantPush(t, "n", `42.5`)
}

func TestEmitTargets(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, token, nil)
	// a: r1; b: r2; c: r1 and r2; d: none.
	a, b, c, d := s.dial(t, "r1"), s.dial(t, "r2"), s.dial(t, "r1", "r2"), s.dial(t)
	all := []*client{a, b, c, d}
	tests := []struct {
		name string
		body string
		want []*client
	}{
		{"room", `"room":"r1"`, []*client{a, c}},
		{"rooms union, each once", `"rooms":["r1","r2"]`, []*client{a, b, c}},
		{"room and rooms", `"room":"r2","rooms":["r1"]`, []*client{a, b, c}},
		{"unknown room", `"room":"nobody"`, nil},
		{"to", `"to":"` + d.id + `"`, []*client{d}},
		{"to is a union with room", `"room":"r2","to":"` + a.id + `"`, []*client{a, b, c}},
		{"socket id in rooms", `"rooms":["` + b.id + `","` + d.id + `"]`, []*client{b, d}},
		{"except", `"except":["` + a.id + `","` + c.id + `"]`, []*client{b, d}},
		{"room except", `"room":"r1","except":["` + c.id + `"]`, []*client{a}},
		{"to except itself", `"to":"` + a.id + `","except":["` + a.id + `"]`, nil},
		{"namespace /", `"namespace":"/","room":"r2"`, []*client{b, c}},
		{"another namespace", `"namespace":"/chat"`, nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			event := fmt.Sprintf("e%d", i)
			s.post(t, "/api/emit", `{"event":"`+event+`","data":{"i":`+fmt.Sprint(i)+`},`+tt.body+`}`).
				want(t, http.StatusOK, fmt.Sprintf(`{"ok":true,"delivered":%d,"cluster":false,"published":false}`, len(tt.want)))
			for _, cl := range all {
				if contains(tt.want, cl) {
					cl.wantPush(t, event, fmt.Sprintf(`{"i":%d}`, i))
				} else {
					cl.wantNothing(t)
				}
			}
		})
	}
}

func contains(list []*client, c *client) bool {
	for _, x := range list {
		if x == c {
			return true
		}
	}
	return false
}

func TestEmitBadBodies(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, token, nil)
	a := s.dial(t, "r1")
	long := strings.Repeat("x", host.MaxRoomName+1)
	tests := []struct {
		name, body, msg string
	}{
		{"empty", ``, "empty"},
		{"not JSON", `event=x`, "not valid JSON"},
		{"truncated", `{"event":"x"`, "ends too early"},
		{"array", `[{"event":"x"}]`, "must be a JSON object, not an array"},
		{"string", `"x"`, "must be a JSON object, not a string"},
		{"trailing", `{"event":"x"} {}`, "more after its JSON object"},
		{"unknown member", `{"event":"x","dat":1}`, `unknown member "dat"`},
		{"missing event", `{"data":1}`, `"event" is missing`},
		{"empty event", `{"event":""}`, `"event" is missing or empty`},
		{"event not a string", `{"event":1}`, `"event" must be a string, not a number`},
		{"long event", `{"event":"` + strings.Repeat("e", httpapi.MaxEvent+1) + `"}`, "over 256 bytes"},
		{"reserved error", `{"event":"error"}`, "reserved"},
		{"reserved connect", `{"event":"connect"}`, "reserved"},
		{"room not a string", `{"event":"x","room":["r1"]}`, `"room" must be a string, not an array`},
		{"empty room", `{"event":"x","room":""}`, "room name must have 1 to 256 bytes"},
		{"long room", `{"event":"x","room":"` + long + `"}`, "room name must have 1 to 256 bytes"},
		{"empty room in rooms", `{"event":"x","rooms":["r1",""]}`, "room name"},
		{"empty rooms", `{"event":"x","rooms":[]}`, `"rooms" is empty`},
		{"rooms not an array", `{"event":"x","rooms":"r1"}`, `"rooms" must be an array of strings, not a string`},
		{"too many rooms", `{"event":"x","rooms":[` + strings.TrimSuffix(strings.Repeat(`"r",`, httpapi.MaxRooms+1), ",") + `]}`, "more than 1024 rooms"},
		{"to not an id", `{"event":"x","to":"r1"}`, `"to" "r1" is not a socket id`},
		{"to not a string", `{"event":"x","to":["` + a.id + `"]}`, `"to" must be a string`},
		{"except not an id", `{"event":"x","except":["nobody"]}`, "not a socket id"},
		{"except not an array", `{"event":"x","except":"` + a.id + `"}`, `"except" must be an array of strings`},
		{"namespace without slash", `{"event":"x","namespace":"chat"}`, `must start with "/"`},
		{"empty namespace", `{"event":"x","namespace":""}`, `must start with "/"`},
		{"data too deep", `{"event":"x","data":` + strings.Repeat("[", 513) + strings.Repeat("]", 513) + `}`, "deeper than 512"},
		{"data invalid UTF-8", "{\"event\":\"x\",\"data\":\"\xff\"}", "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.post(t, "/api/emit", tt.body).refused(t, http.StatusBadRequest, httpapi.CodeBadRequest, tt.msg)
		})
	}
	// Data 512 levels deep is fine.
	s.post(t, "/api/emit", `{"event":"deep","data":`+strings.Repeat("[", 512)+strings.Repeat("]", 512)+`}`).
		want(t, http.StatusOK, `{"ok":true,"delivered":1,"cluster":false,"published":false}`)
	a.wantPush(t, "deep", strings.Repeat("[", 512)+strings.Repeat("]", 512))
	// None of the refused ones reached the client.
	a.wantNothing(t)
}

func TestEmitClusterRefuses(t *testing.T) {
	t.Parallel()
	b := &broker{}
	s := newAPIServer(t, token, b)
	a, c := s.dial(t, "r1"), s.dial(t)
	s.post(t, "/api/emit", `{"event":"one","room":"r1"}`).
		want(t, http.StatusOK, `{"ok":true,"delivered":1,"cluster":true,"published":true}`)
	a.wantPush(t, "one", "null")
	c.wantNothing(t)
	if n := b.publishedCount(); n != 1 {
		t.Fatalf("the broker got %d pushes, want 1", n)
	}

	b.setErr(fmt.Errorf("nats: connection closed"))
	ans := s.post(t, "/api/emit", `{"event":"two","data":2}`)
	ans.want(t, http.StatusServiceUnavailable, `{"ok":false,"delivered":2,"cluster":true,"published":false,
		"error":{"code":"cluster_unavailable","message":"*"}}`)
	if !strings.Contains(string(ans.raw), "nats: connection closed") {
		t.Errorf("answer %s does not say what the broker said", ans.raw)
	}
	// Local delivery does not depend on the broker.
	a.wantPush(t, "two", "2")
	c.wantPush(t, "two", "2")
}

func TestEmitConcurrent(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, token, nil)
	const senders, each = 4, 25
	a := s.dial(t, "r1")
	var wg sync.WaitGroup
	errs := make(chan string, senders*each)
	for g := range senders {
		wg.Go(func() {
			for i := range each {
				ans, err := s.tryDo(http.MethodPost, "/api/emit", strings.NewReader(fmt.Sprintf(`{"event":"n","data":[%d,%d],"room":"r1"}`, g, i)),
					http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}})
				if err != nil {
					errs <- err.Error()
					return
				}
				if ans.status != http.StatusOK {
					errs <- fmt.Sprintf("status %d: %s", ans.status, ans.raw)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	// Every push arrives once, and each sender's in the order sent.
	next := make([]int, senders)
	for range senders * each {
		var gi [2]int
		if err := json.Unmarshal(wstest.WantPush(t, a.Next(t), "n"), &gi); err != nil {
			t.Fatal(err)
		}
		if gi[1] != next[gi[0]] {
			t.Fatalf("sender %d: push %d, want %d", gi[0], gi[1], next[gi[0]])
		}
		next[gi[0]]++
	}
	a.wantNothing(t)
}
