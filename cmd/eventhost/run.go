package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/eventhost/eventhost/internal/cli"
)

// run is the whole program: main only adds the process around it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		cfg, err := parseServeFlags(args, getenv, stderr)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, stderr, nil)
	case "routes":
		return routes(ctx, args, getenv, stdout, stderr)
	case "call":
		return callCommand(ctx, args, stdout, stderr)
	case "healthcheck":
		return healthcheckCommand(ctx, args, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return &cli.ExitError{Code: 2, Msg: fmt.Sprintf("eventhost: unknown command %q\n%s", cmd, usage)}
	}
}

const usage = `Usage:
  eventhost [serve] [flags]               serve the scripts folder (default command)
  eventhost routes [-scripts DIR]         print the route table: event, file, export
  eventhost call [-url URL] EVENT [JSON]  send one request, print the reply; non-zero exit on an error reply
  eventhost healthcheck [-addr ADDR]      exit 0 when the server's GET /healthz says ok (the image's HEALTHCHECK)
  eventhost help                          this text

Run "eventhost serve -h" for the serve flags; each is also an EVENTHOST_* environment variable.
`

// applyEnv sets every flag of fs that the command line left unset from its
// environment variable: EVENTHOST_ and the flag's name in upper case with
// dashes as underscores.
func applyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] {
			return
		}
		name := envName(f.Name)
		if v := getenv(name); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", name, v, err))
			}
		}
	})
	return errors.Join(errs...)
}

func envName(flagName string) string {
	return "EVENTHOST_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}
