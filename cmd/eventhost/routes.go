package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"

	"github.com/eventhost/eventhost/internal/cli"

	"github.com/eventhost/eventhost/runtime/bundle"
	"github.com/eventhost/eventhost/runtime/engine"
)

// routes prints the route table of a scripts folder.
func routes(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eventhost routes", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("scripts", "./scripts", "folder of the handler modules")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &cli.ExitError{Code: 2}
	}
	if err := applyEnv(fs, getenv); err != nil {
		return &cli.ExitError{Code: 2, Msg: "eventhost routes: " + err.Error()}
	}
	eng, err := engine.New(ctx, engine.Config{Dir: resolveScripts(*dir), PoolSize: 1, Logger: slog.New(slog.NewTextHandler(stderr, nil))})
	if err != nil {
		var be *bundle.Error
		if errors.As(err, &be) {
			return &cli.ExitError{Code: 1, Msg: be.Error()}
		}
		return err
	}
	defer eng.Close()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EVENT\tFILE\tEXPORT")
	for _, r := range eng.Routes() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Event, r.File, r.Export)
	}
	return tw.Flush()
}
