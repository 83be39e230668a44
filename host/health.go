package host

import (
	"encoding/json"
	"net/http"
	"time"
)

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	body := map[string]any{
		"ok":          !s.draining.Load(),
		"connections": s.melody.Len(),
		"uptime":      time.Since(s.started).Round(time.Second).String(),
	}
	if b := s.broker(); b != nil {
		body["cluster"] = b.Status()
	}
	if s.cfg.Status != nil {
		body["status"] = s.cfg.Status()
	}
	w.Header().Set("Content-Type", "application/json")
	if s.draining.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(body)
}
