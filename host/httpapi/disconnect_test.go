package httpapi_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/eventhost/eventhost/host/httpapi"
)

func TestDisconnect(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, token, nil)
	tests := []struct {
		name, extra  string
		code         int
		reason, want string
	}{
		{"default code", ``, 1000, "", ""},
		{"code and reason", `,"code":4001,"reason":"kicked by moderator"`, 4001, "kicked by moderator", ""},
		{"1000 with reason", `,"code":1000,"reason":"bye"`, 1000, "bye", ""},
		{"3000", `,"code":3000`, 3000, "", ""},
		{"4999, longest reason", `,"code":4999,"reason":"` + strings.Repeat("é", httpapi.MaxReason/2) + `r"`, 4999, strings.Repeat("é", httpapi.MaxReason/2) + "r", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := s.dial(t), s.dial(t)
			s.post(t, httpapi.PathDisconnect, `{"socket":"`+a.id+`"`+tt.extra+`}`).
				want(t, http.StatusOK, `{"ok":true,"found":true}`)
			a.WantClose(t, tt.code, tt.reason)
			b.wantNothing(t)
		})
	}
}

func TestDisconnectNotFound(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, token, nil)
	a := s.dial(t)
	s.post(t, httpapi.PathDisconnect, `{"socket":"AAAAAAAAAAAAAAAA"}`).
		want(t, http.StatusNotFound, `{"ok":false,"found":false,"error":{"code":"not_found","message":"no connection has the id AAAAAAAAAAAAAAAA"}}`)
	a.wantNothing(t)
}

func TestDisconnectBadBodies(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, token, nil)
	a := s.dial(t)
	id := a.id
	tests := []struct {
		name, body, msg string
	}{
		{"empty", ``, "empty"},
		{"not JSON", `socket=` + id, "not valid JSON"},
		{"unknown member", `{"socket":"` + id + `","why":"x"}`, `unknown member "why"`},
		{"missing socket", `{"code":1000}`, `"socket" is missing`},
		{"socket not an id", `{"socket":"abc"}`, `"socket" "abc" is not a socket id`},
		{"lower-case id", `{"socket":"` + strings.ToLower(id) + `"}`, "is not a socket id"},
		{"socket not a string", `{"socket":1}`, `"socket" must be a string, not a number`},
		{"code 999", `{"socket":"` + id + `","code":999}`, `"code" must be 1000 or within 3000-4999, not 999`},
		{"code 1001", `{"socket":"` + id + `","code":1001}`, "not 1001"},
		{"code 2999", `{"socket":"` + id + `","code":2999}`, "not 2999"},
		{"code 5000", `{"socket":"` + id + `","code":5000}`, "not 5000"},
		{"code fraction", `{"socket":"` + id + `","code":4000.5}`, `"code" must be an integer`},
		{"code string", `{"socket":"` + id + `","code":"4000"}`, `"code" must be an integer, not a string`},
		{"long reason", `{"socket":"` + id + `","reason":"` + strings.Repeat("r", httpapi.MaxReason+1) + `"}`, "over 123 bytes"},
		{"reason not a string", `{"socket":"` + id + `","reason":1}`, `"reason" must be a string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.post(t, httpapi.PathDisconnect, tt.body).refused(t, http.StatusBadRequest, httpapi.CodeBadRequest, tt.msg)
		})
	}
	// The connection is still open.
	a.wantNothing(t)
}

func TestDisconnectClusterRefuses(t *testing.T) {
	t.Parallel()
	b := &broker{}
	s := newAPIServer(t, token, b)
	a, c := s.dial(t), s.dial(t)
	// Not here, and no other node has it.
	s.post(t, httpapi.PathDisconnect, `{"socket":"AAAAAAAAAAAAAAAA"}`).
		want(t, http.StatusNotFound, `{"ok":false,"found":false,"error":{"code":"not_found","message":"*"}}`)

	b.setErr(errors.New("nats: timeout"))
	// A connection of this node is found without the cluster.
	s.post(t, httpapi.PathDisconnect, `{"socket":"`+a.id+`","code":4002}`).want(t, http.StatusOK, `{"ok":true,"found":true}`)
	a.WantClose(t, 4002, "")
	// Another one: the cluster could not say.
	ans := s.post(t, httpapi.PathDisconnect, `{"socket":"AAAAAAAAAAAAAAAA"}`)
	ans.want(t, http.StatusServiceUnavailable, `{"ok":false,"found":false,"error":{"code":"cluster_unavailable","message":"*"}}`)
	if !strings.Contains(string(ans.raw), "nats: timeout") {
		t.Errorf("answer %s does not say what the broker said", ans.raw)
	}
	c.wantNothing(t)
}
