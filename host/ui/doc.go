// Package ui serves a small page for trying a server's events from a
// browser: the route table with each route's file, a form that sends an
// event with JSON data over /ws (with a token field for servers that
// require a JWT), the replies, errors and pushes as a live log, the
// connection's state, and the last build error.
//
// The page is plain HTML, JavaScript and CSS embedded in the binary: no CDN,
// no build step. It reads the route table from GET /api/routes once a second,
// so a reload that adds or removes routes shows without reloading the page.
//
// ui knows nothing of the runtime: the caller (cmd/eventhost) hands it a
// Config.Status function that reads the current scripts, and the /ws Origin
// rule (host.Server.AllowOrigin) so that the page and its data follow the
// same rules as the WebSocket.
//
// # Goroutines
//
// ui starts none. The handler is safe for concurrent use; Config.Status and
// Config.AllowOrigin are called on the request's goroutine, concurrently.
package ui
