package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/eventhost/eventhost/internal/cli"
)

// run is the whole program: main only adds the process around it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, asJSON, err := parseFlags(args, stderr)
	if err != nil {
		if ee := (*cli.ExitError)(nil); errors.As(err, &ee) && ee.Code == 0 {
			return nil // -h
		}
		return err
	}
	res, err := Run(ctx, cfg)
	if err != nil {
		if errors.Is(err, errConfig) {
			return &cli.ExitError{Code: 2, Msg: err.Error()}
		}
		return err
	}
	if res.ConnectError != nil {
		fmt.Fprintf(stderr, "eventload: %d of %d connections failed: %v\n", res.ConnectErrors, cfg.Connections, res.ConnectError)
	}
	if res.Disconnect != nil {
		fmt.Fprintf(stderr, "eventload: %d connections ended during the run: %v\n", res.Disconnects, res.Disconnect)
	}
	if asJSON {
		err = writeJSON(stdout, cfg, res)
	} else {
		err = writeText(stdout, cfg, res)
	}
	if err != nil {
		return err
	}
	if !res.Success() {
		return &cli.ExitError{Code: 1}
	}
	return nil
}

const usageHead = `Usage: eventload [flags]

Opens -c connections to a running eventhost, keeps -w requests in flight on
each for -d (or until -n requests were sent), waits up to -grace for the
outstanding replies and prints requests sent, replies, error replies by
code, lost replies, messages per second and latency percentiles.

Exit status: 0 all requests answered successfully, 1 error or lost replies
or failed connections, 2 bad usage.

-proto ws (the default) speaks the native protocol of /ws. -proto socketio
speaks Socket.IO v5 on Engine.IO v4 over the WebSocket transport: each
connection sends CONNECT to the namespace "/", answers every ping, sends
each request as an event with an ack id and counts the ack as its reply; an
ack whose only argument is {"error":{"code",...}} is an error reply. The
URL gets the path /socket.io/ when it has none, and EIO=4&transport=websocket.

Flags:
`

// parseFlags turns the command line into a Config. Usage errors are
// *cli.ExitError with code 2; -h is an *cli.ExitError with code 0.
func parseFlags(args []string, stderr io.Writer) (Config, bool, error) {
	var cfg Config
	var data string
	var asJSON bool
	fs := flag.NewFlagSet("eventload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageHead)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.Proto, "proto", ProtoWS, "protocol: ws (native) or socketio")
	fs.StringVar(&cfg.URL, "url", "", "WebSocket URL of the server (default "+DefaultURL+", or "+DefaultSocketIOURL+" with -proto socketio)")
	fs.IntVar(&cfg.Connections, "c", 1, "connections")
	fs.IntVar(&cfg.InFlight, "w", 1, "requests in flight on each connection")
	fs.DurationVar(&cfg.Duration, "d", DefaultDuration, "duration of the measured load (with -n: a time limit, only if given)")
	fs.Int64Var(&cfg.Requests, "n", 0, "total requests to send, over all connections (0: run for -d)")
	fs.StringVar(&cfg.Event, "event", DefaultEvent, "event of every request")
	fs.StringVar(&data, "data", DefaultData, "JSON data of every request")
	fs.DurationVar(&cfg.Grace, "grace", 5*time.Second, "how long to wait for outstanding replies at the end; also how long a connection with every request outstanding waits before it stops sending")
	fs.DurationVar(&cfg.Warmup, "warmup", 0, "load sent before measuring starts; its requests are not counted")
	fs.BoolVar(&asJSON, "json", false, "print the results as one JSON object")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, false, &cli.ExitError{Code: 0}
		}
		return cfg, false, &cli.ExitError{Code: 2}
	}
	usage := func(format string, a ...any) (Config, bool, error) {
		return cfg, false, &cli.ExitError{Code: 2, Msg: "eventload: " + fmt.Sprintf(format, a...)}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case fs.NArg() > 0:
		return usage("unexpected argument %q", fs.Arg(0))
	case cfg.Connections < 1:
		return usage("-c must be at least 1")
	case cfg.InFlight < 1:
		return usage("-w must be at least 1")
	case cfg.Requests < 0:
		return usage("-n must not be negative")
	case cfg.Duration <= 0 && (cfg.Requests == 0 || set["d"]):
		return usage("-d must be positive")
	case cfg.Grace < 0 || cfg.Warmup < 0:
		return usage("-grace and -warmup must not be negative")
	case cfg.Event == "":
		return usage("-event must not be empty")
	case cfg.Proto != ProtoWS && cfg.Proto != ProtoSocketIO:
		return usage("-proto must be %s or %s, not %q", ProtoWS, ProtoSocketIO, cfg.Proto)
	case !json.Valid([]byte(data)):
		return usage("-data is not valid JSON: %s", data)
	}
	if cfg.Requests > 0 && !set["d"] {
		cfg.Duration = 0 // -n alone: no time limit
	}
	cfg.Data = json.RawMessage(data)
	if cfg.URL == "" {
		cfg.URL = defaultURL(cfg.Proto)
	}
	// Run checks the URL; doing it here too makes it a usage error before
	// anything starts.
	check := cfg
	if err := check.setDefaults(); err != nil {
		return usage("%s", strings.TrimPrefix(err.Error(), errConfig.Error()+": "))
	}
	return cfg, asJSON, nil
}

// jsonResult is the -json output. Its field names are stable; durations are
// in microseconds unless the name says seconds.
type jsonResult struct {
	Proto         string           `json:"proto"`
	URL           string           `json:"url"`
	Event         string           `json:"event"`
	Connections   int              `json:"connections"`
	InFlight      int              `json:"in_flight"`
	DurationS     float64          `json:"duration_s"`
	Sent          int64            `json:"sent"`
	OK            int64            `json:"ok"`
	Errors        map[string]int64 `json:"errors"`
	Lost          int64            `json:"lost"`
	MsgsPerS      float64          `json:"msgs_per_s"`
	LatencyUS     jsonLatency      `json:"latency_us"`
	ConnectErrors int              `json:"connect_errors"`
	Disconnects   int              `json:"disconnects"`
	Stalled       int              `json:"stalled"`
	Pushes        int64            `json:"pushes"`
	Pings         int64            `json:"pings"`
	Unexpected    int64            `json:"unexpected"`
	WarmupSent    int64            `json:"warmup_sent"`
	Interrupted   bool             `json:"interrupted"`
}

type jsonLatency struct {
	P50 int64 `json:"p50"`
	P90 int64 `json:"p90"`
	P99 int64 `json:"p99"`
	Max int64 `json:"max"`
}

func micros(d time.Duration) int64 { return (d + time.Microsecond/2).Microseconds() }

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

func writeJSON(w io.Writer, cfg Config, r Result) error {
	out := jsonResult{
		Proto:         cfg.Proto,
		URL:           cfg.URL,
		Event:         cfg.Event,
		Connections:   r.Connections,
		InFlight:      r.InFlight,
		DurationS:     round(r.Elapsed.Seconds(), 3),
		Sent:          r.Sent,
		OK:            r.OK,
		Errors:        r.Errors,
		Lost:          r.Lost,
		MsgsPerS:      round(r.MsgsPerSecond(), 1),
		LatencyUS:     jsonLatency{micros(r.Latency.P50), micros(r.Latency.P90), micros(r.Latency.P99), micros(r.Latency.Max)},
		ConnectErrors: r.ConnectErrors,
		Disconnects:   r.Disconnects,
		Stalled:       r.Stalled,
		Pushes:        r.Pushes,
		Pings:         r.Pings,
		Unexpected:    r.Unexpected,
		WarmupSent:    r.WarmupSent,
		Interrupted:   r.Interrupted,
	}
	if out.Errors == nil {
		out.Errors = map[string]int64{}
	}
	enc := json.NewEncoder(w)
	return enc.Encode(out)
}

func writeText(w io.Writer, cfg Config, r Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "target          %s  event %s  proto %s\n", cfg.URL, cfg.Event, cfg.Proto)
	fmt.Fprintf(&b, "connections     %d × %d in flight\n", r.Connections, r.InFlight)
	note := ""
	if r.Interrupted {
		note = "  (interrupted)"
	}
	fmt.Fprintf(&b, "measured        %s%s\n", r.Elapsed.Round(time.Millisecond), note)
	fmt.Fprintf(&b, "sent            %d\n", r.Sent)
	fmt.Fprintf(&b, "ok              %d\n", r.OK)
	errs := r.Answered() - r.OK
	if errs == 0 {
		fmt.Fprintf(&b, "errors          0\n")
	} else {
		var parts []string
		for _, code := range slices.Sorted(maps.Keys(r.Errors)) {
			parts = append(parts, fmt.Sprintf("%s %d", code, r.Errors[code]))
		}
		fmt.Fprintf(&b, "errors          %d (%s)\n", errs, strings.Join(parts, ", "))
	}
	fmt.Fprintf(&b, "lost            %d\n", r.Lost)
	fmt.Fprintf(&b, "msgs/s          %.1f\n", r.MsgsPerSecond())
	l := r.Latency
	fmt.Fprintf(&b, "latency         p50 %s  p90 %s  p99 %s  max %s\n", fmtLatency(l.P50), fmtLatency(l.P90), fmtLatency(l.P99), fmtLatency(l.Max))
	fmt.Fprintf(&b, "connect errors  %d\n", r.ConnectErrors)
	if r.Disconnects > 0 {
		fmt.Fprintf(&b, "disconnects     %d\n", r.Disconnects)
	}
	if r.Stalled > 0 {
		fmt.Fprintf(&b, "stalled         %d connections (no reply for -grace with every request outstanding)\n", r.Stalled)
	}
	if r.Pushes > 0 {
		fmt.Fprintf(&b, "pushes          %d (ignored)\n", r.Pushes)
	}
	if r.Pings > 0 {
		fmt.Fprintf(&b, "pings           %d (answered)\n", r.Pings)
	}
	if r.Unexpected > 0 {
		fmt.Fprintf(&b, "unexpected      %d frames\n", r.Unexpected)
	}
	if r.WarmupSent > 0 {
		fmt.Fprintf(&b, "warm-up         %d requests (not counted)\n", r.WarmupSent)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func fmtLatency(d time.Duration) string {
	if d < time.Millisecond {
		return d.Round(time.Microsecond).String()
	}
	return d.Round(10 * time.Microsecond).String()
}
