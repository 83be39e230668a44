package ui

import (
	"encoding/json"
	"net/http"
)

// The paths the page is served at.
const (
	// PagePath is the page itself: exactly "/", nothing below it.
	PagePath = "/"
	// AssetsPath is the prefix of the page's script and style sheet.
	AssetsPath = "/ui/"
	// RoutesPath is the JSON Status the page polls.
	RoutesPath = "/api/routes"
)

// patterns are the http.ServeMux patterns a Handler answers.
var patterns = []string{"GET /{$}", "GET " + AssetsPath, "GET " + RoutesPath}

// Mounter is what Mount serves on: host.Server and http.ServeMux are both.
type Mounter interface {
	Handle(pattern string, h http.Handler)
}

// Handler serves the page, its assets and the route table. Make it with New.
type Handler struct {
	cfg Config
	mux *http.ServeMux
}

// New returns a Handler for cfg. It answers GET (and HEAD) of PagePath,
// AssetsPath and RoutesPath, and 404 for any other path.
func New(cfg Config) *Handler {
	h := &Handler{cfg: cfg, mux: http.NewServeMux()}
	h.mux.HandleFunc(patterns[0], h.servePage)
	h.mux.HandleFunc(patterns[1], h.serveAsset)
	h.mux.HandleFunc(patterns[2], h.serveRoutes)
	return h
}

// Mount serves a Handler for cfg on m at the paths of New, for example
// beside /ws on a host.Server. Call it before serving.
func Mount(m Mounter, cfg Config) {
	h := New(cfg)
	for _, p := range patterns {
		m.Handle(p, h)
	}
}

// ServeHTTP serves the page, its assets and the route table.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.cfg.AllowOrigin != nil && !h.cfg.AllowOrigin(r) {
		http.Error(w, "ui: request origin not allowed", http.StatusForbidden)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// pageHeaders are set on every answer of the page and its assets: the page
// loads only its own files and talks only to its own server.
func pageHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-cache")
}

func (h *Handler) servePage(w http.ResponseWriter, r *http.Request) {
	serveAsset(w, r, pageFile)
}

func (h *Handler) serveAsset(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Path[len(AssetsPath):]
	if name == pageFile {
		// One address for the page.
		http.Redirect(w, r, PagePath, http.StatusMovedPermanently)
		return
	}
	serveAsset(w, r, name)
}

func (h *Handler) serveRoutes(w http.ResponseWriter, r *http.Request) {
	var st Status
	if h.cfg.Status != nil {
		st = h.cfg.Status()
	}
	if st.Routes == nil {
		st.Routes = []Route{}
	}
	body, err := json.Marshal(st)
	if err != nil {
		http.Error(w, "ui: encoding the status: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(append(body, '\n'))
}
