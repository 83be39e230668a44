package main

import (
	"net"
	"path/filepath"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/ui"
	"github.com/eventhost/eventhost/runtime/engine"
)

// mountUI serves the page to try events at GET / beside /ws, with the
// route table at GET /api/routes; -ui=false leaves both out.
func mountUI(srv *host.Server, eng *engine.Engine, scripts string, watching, auth bool) {
	ui.Mount(srv, ui.Config{
		Status:      func() ui.Status { return uiStatus(eng, scripts, watching, auth) },
		AllowOrigin: srv.AllowOrigin,
	})
}

// uiStatus is what the page shows of the scripts: the same generation and
// last build error as /healthz, and the route table with each route's file,
// named from the scripts folder ("scripts/api/hello.js") wherever it is.
func uiStatus(eng *engine.Engine, scripts string, watching, auth bool) ui.Status {
	g := eng.Current()
	st := ui.Status{Dir: scripts, Generation: g.ID, Built: g.Built.UTC(), Watching: watching, Auth: auth}
	parent := filepath.Dir(scripts)
	for _, r := range eng.Routes() {
		file := r.File
		if rel, err := filepath.Rel(parent, file); err == nil && filepath.IsLocal(rel) {
			file = rel
		}
		st.Routes = append(st.Routes, ui.Route{Event: r.Event, File: filepath.ToSlash(file), Export: r.Export})
	}
	if f := eng.LastFailure(); f != nil {
		st.LastError = &ui.BuildError{Message: f.Err.Error(), At: f.At.UTC()}
	}
	return st
}

// pageURL is the address to open the page at, for the log: an unspecified
// listen address (":8080") is shown as localhost.
func pageURL(addr string) string {
	h, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr + "/"
	}
	if ip := net.ParseIP(h); h == "" || (ip != nil && ip.IsUnspecified()) {
		h = "localhost"
	}
	return "http://" + net.JoinHostPort(h, port) + "/"
}
