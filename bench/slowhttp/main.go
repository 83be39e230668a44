// Command slowhttp is the HTTP service of bench/fetch.sh: it answers every
// request with a small body after -delay, on a loopback address.
package main

import (
	"flag"
	"log"
	"net/http"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18340", "listen address (keep it on loopback)")
	delay := flag.Duration("delay", 5*time.Millisecond, "how long each answer takes")
	flag.Parse()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(*delay):
		case <-r.Context().Done():
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	})
	log.Fatal((&http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}).ListenAndServe())
}
