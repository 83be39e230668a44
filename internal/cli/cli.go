// Package cli holds what the commands under cmd/ share: their exit status
// convention and the flag types they parse.
package cli

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

// ExitError ends a program with Code after printing Msg (when not empty) on
// standard error. Code 2 is a usage error.
type ExitError struct {
	Code int
	Msg  string
}

// Error returns "exit CODE: MSG".
func (e *ExitError) Error() string { return fmt.Sprintf("exit %d: %s", e.Code, e.Msg) }

// Main runs a command until it returns, with a context that SIGINT and
// SIGTERM cancel, and exits the process: with an *ExitError's code, with 1
// (after printing "name: err") for any other error, or with 0.
func Main(name string, run func(ctx context.Context, args []string) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal the next one gets the default behaviour: a
	// second Ctrl-C kills a command that is still shutting down.
	context.AfterFunc(ctx, stop)
	err := run(ctx, os.Args[1:])
	stop()
	var ee *ExitError
	switch {
	case err == nil:
		os.Exit(0)
	case errors.As(err, &ee):
		if ee.Msg != "" {
			fmt.Fprintln(os.Stderr, ee.Msg)
		}
		os.Exit(ee.Code)
	default:
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

// ByteSize is a flag of bytes that accepts KiB, MiB, KB and MB suffixes.
type ByteSize int64

// String returns the size in bytes.
func (b *ByteSize) String() string { return strconv.FormatInt(int64(*b), 10) }

// Set parses "1048576", "64KiB" or "1MiB".
func (b *ByteSize) Set(s string) error {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"KB", 1000}, {"MB", 1000 * 1000}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return errors.New("want a positive number of bytes, optionally with KiB or MiB")
	}
	if n > math.MaxInt64/mult {
		return errors.New("too large")
	}
	*b = ByteSize(n * mult)
	return nil
}

// List is a flag that collects comma-separated or repeated values.
type List []string

// String returns the values joined by commas.
func (l *List) String() string { return strings.Join(*l, ",") }

// Set adds the comma-separated values of s.
func (l *List) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}
