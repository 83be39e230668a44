package watch_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/eventhost/eventhost/runtime/watch"
)

func Example() {
	dir, err := os.MkdirTemp("", "scripts")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	w, err := watch.New(watch.Config{Dir: dir})
	if err != nil {
		panic(err)
	}
	// The watches are in place once New returns: these changes are queued
	// until Run reads them. The swap file is editor noise and never reported.
	os.WriteFile(filepath.Join(dir, ".hello.js.swp"), []byte("vim"), 0o644)
	os.WriteFile(filepath.Join(dir, "hello.js"), []byte("export default () => 'hi'\n"), 0o644)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = w.Run(ctx, func(ctx context.Context, changed []string) {
		for _, p := range changed {
			rel, _ := filepath.Rel(dir, p)
			fmt.Println("changed:", rel) // the caller rebuilds here
		}
		cancel() // stop after the first batch
	})
	fmt.Println("Run:", err)
	// Output:
	// changed: hello.js
	// Run: <nil>
}
