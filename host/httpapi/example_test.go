package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/eventhost/eventhost/host"
	"github.com/eventhost/eventhost/host/httpapi"
)

// Mount serves the API beside /ws and /healthz; another service then emits
// with a bearer token.
func ExampleMount() {
	srv := host.New(host.HandlerFunc(func(context.Context, *host.Call) (host.Reply, error) {
		return host.Reply{}, nil
	}), host.Config{Logger: slog.New(slog.DiscardHandler)})
	httpapi.Mount(srv, "s3cr3t-0123456789abcdef", slog.New(slog.DiscardHandler))
	ts := httptest.NewServer(srv)
	defer ts.Close()

	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/emit", strings.NewReader(`{"event":"news","data":{"title":"hello"},"room":"lobby"}`))
	req.Header.Set("Authorization", "Bearer s3cr3t-0123456789abcdef")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.StatusCode, " ", string(body))
	// Output: 200 {"ok":true,"delivered":0,"cluster":false,"published":false}
}
