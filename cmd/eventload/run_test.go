package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/eventhost/eventhost/internal/cli"

	"github.com/eventhost/eventhost/host"
)

// runCommand runs the command as main would: stderr includes the message
// main prints for run's error.
func runCommand(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(testContext(t), args, &out, &errOut)
	var ee *cli.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.Code
		if ee.Msg != "" {
			errOut.WriteString(ee.Msg + "\n")
		}
	default:
		code = 1
		errOut.WriteString(err.Error() + "\n")
	}
	return out.String(), errOut.String(), code
}

func TestCommandJSON(t *testing.T) {
	t.Parallel()
	url := startServer(t, echo, host.Config{})
	stdout, stderr, code := runCommand(t, "-url", url, "-c", "2", "-w", "3", "-n", "100", "-json", "-data", `{"a": [1, 2]}`)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("-json output %q: %v", stdout, err)
	}
	for _, k := range []string{"proto", "url", "event", "connections", "in_flight", "duration_s", "sent", "ok", "errors", "lost",
		"msgs_per_s", "latency_us", "connect_errors", "disconnects", "stalled", "pushes", "pings", "unexpected", "warmup_sent", "interrupted"} {
		if _, ok := out[k]; !ok {
			t.Errorf("-json output lacks %q: %s", k, stdout)
		}
	}
	var res struct {
		Connections int              `json:"connections"`
		InFlight    int              `json:"in_flight"`
		Sent        int64            `json:"sent"`
		OK          int64            `json:"ok"`
		Errors      map[string]int64 `json:"errors"`
		Latency     map[string]int64 `json:"latency_us"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if res.Connections != 2 || res.InFlight != 3 || res.Sent != 100 || res.OK != 100 || res.Errors == nil {
		t.Errorf("output %s", stdout)
	}
	for _, k := range []string{"p50", "p90", "p99", "max"} {
		if _, ok := res.Latency[k]; !ok {
			t.Errorf("latency_us lacks %q: %s", k, stdout)
		}
	}
}

func TestCommandText(t *testing.T) {
	t.Parallel()
	url := startServer(t, echo, host.Config{})
	stdout, stderr, code := runCommand(t, "-url", url, "-n", "50")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	for _, want := range []string{"sent            50\n", "ok              50\n", "lost            0\n", "msgs/s", "p50", "p99", "connect errors  0"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestCommandFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		handler host.Handler
		cfg     host.Config
		want    string // in stdout
	}{
		{"error replies", &failing{}, host.Config{}, "(teapot "},
		{"lost replies", &silent{}, host.Config{CallTimeout: 3600e9}, "lost            "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := startServer(t, tc.handler, tc.cfg)
			stdout, _, code := runCommand(t, "-url", url, "-c", "2", "-w", "2", "-d", "200ms", "-grace", "500ms")
			if code != 1 || !strings.Contains(stdout, tc.want) {
				t.Errorf("exit %d, want 1; output:\n%s", code, stdout)
			}
		})
	}
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		stdout, stderr, code := runCommand(t, "-url", "ws://127.0.0.1:1/ws", "-d", "50ms", "-json")
		if code != 1 || !strings.Contains(stderr, "connections failed") || !strings.Contains(stdout, `"connect_errors":1`) {
			t.Errorf("exit %d, want 1; stdout %s stderr %s", code, stdout, stderr)
		}
	})
}

func TestCommandUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"unknown flag", []string{"-bogus"}},
		{"argument", []string{"extra"}},
		{"zero connections", []string{"-c", "0"}},
		{"zero in flight", []string{"-w", "0"}},
		{"negative count", []string{"-n", "-1"}},
		{"zero duration", []string{"-d", "0"}},
		{"zero duration with count", []string{"-n", "10", "-d", "0"}},
		{"negative grace", []string{"-grace", "-1s"}},
		{"negative warmup", []string{"-warmup", "-1s"}},
		{"empty event", []string{"-event", ""}},
		{"bad data", []string{"-data", "{hello}"}},
		{"http url", []string{"-url", "http://127.0.0.1:8080/ws"}},
		{"bad duration", []string{"-d", "soon"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := runCommand(t, tc.args...)
			if code != 2 || stdout != "" || stderr == "" {
				t.Errorf("exit %d (want 2), stdout %q, stderr %q", code, stdout, stderr)
			}
		})
	}
	t.Run("help", func(t *testing.T) {
		t.Parallel()
		_, stderr, code := runCommand(t, "-h")
		if code != 0 || !strings.Contains(stderr, "-grace") {
			t.Errorf("exit %d, usage %q", code, stderr)
		}
	})
}
