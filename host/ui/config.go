package ui

import (
	"net/http"
	"time"
)

// Config says what the page shows and who may load it.
type Config struct {
	// Status returns the scripts' state now: the route table and the last
	// build error. It is called for every GET /api/routes (the page polls
	// it once a second). Nil serves an empty table.
	Status func() Status

	// AllowOrigin reports whether a request's Origin header may load the
	// page and its data; a refused request gets 403. Pass
	// host.Server.AllowOrigin so that the page follows the rules of /ws.
	// Nil accepts every request.
	AllowOrigin func(*http.Request) bool
}

// Status is the state of the scripts as the page shows it, and the body of
// GET /api/routes.
type Status struct {
	// Dir is the scripts folder, as the server was given it.
	Dir string `json:"dir"`
	// Generation is the build being served: 1 for the first, one more per
	// successful reload.
	Generation uint64 `json:"generation"`
	// Built is when that build finished.
	Built time.Time `json:"built"`
	// Watching is whether the server rebuilds when the scripts change.
	Watching bool `json:"watching"`
	// Auth is whether every /ws handshake must present a JWT.
	Auth bool `json:"auth"`
	// Routes is the route table. A nil table is sent as [].
	Routes []Route `json:"routes"`
	// LastError is the last reload's failure, nil when it built (the
	// build being served is then the one before it).
	LastError *BuildError `json:"last_error"`
}

// Route is one callable event and where it is defined.
type Route struct {
	Event  string `json:"event"`  // e.g. "api.hello.greeting"
	File   string `json:"file"`   // e.g. "scripts/api/hello.js", slash-separated
	Export string `json:"export"` // the export's name; "default" for a default export
}

// BuildError is a failed build.
type BuildError struct {
	Message string    `json:"message"` // the build's error text, positioned file:line:column
	At      time.Time `json:"at"`      // when the build failed
}
