package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/eventhost/eventhost/internal/cli"
)

// healthcheckCommand asks a server's GET /healthz and succeeds only on a 200
// whose JSON body says "ok": true. It is the container image's HEALTHCHECK:
// the image has no curl. Without -url it asks the loopback address on the
// port of -addr, whose default comes from EVENTHOST_ADDR as serve's does, so
// the check follows the server's configuration inside the container.
func healthcheckCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eventhost healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", ":8080", "the server's listen address (as serve's -addr; env EVENTHOST_ADDR); asked on loopback")
	url := fs.String("url", "", "the health URL to ask (overrides -addr)")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: eventhost healthcheck [-addr ADDR | -url URL] [-timeout D]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &cli.ExitError{Code: 2}
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return &cli.ExitError{Code: 2}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["addr"] {
		if v := getenv(envName("addr")); v != "" {
			*addr = v
		}
	}
	target := *url
	if target == "" {
		u, err := healthURL(*addr)
		if err != nil {
			return &cli.ExitError{Code: 2, Msg: "eventhost healthcheck: " + err.Error()}
		}
		target = u
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	if err := checkHealth(ctx, target); err != nil {
		return &cli.ExitError{Code: 1, Msg: "eventhost healthcheck: " + err.Error()}
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}

// healthURL turns a listen address into the URL of its /healthz on
// loopback: ":8080" and "0.0.0.0:8080" become http://127.0.0.1:8080/healthz,
// "[::]:8080" becomes http://[::1]:8080/healthz, and a named host is kept.
func healthURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("address %q: %w", addr, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}

// checkHealth GETs url and returns nil when it answers 200 with "ok": true.
func checkHealth(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("request %s: %w", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	var body struct {
		OK bool `json:"ok"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil {
		return fmt.Errorf("GET %s: %s, body: %w", url, resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK || !body.OK {
		return fmt.Errorf("GET %s: %s, ok=%t", url, resp.Status, body.OK)
	}
	return nil
}
