package bundle_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/eventhost/eventhost/runtime/bundle"
)

// A Builder rebuilds a folder after each change; modules whose output is the
// same come back as the same *Module, compiled once.
func ExampleBuilder() {
	dir, err := os.MkdirTemp("", "scripts")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	write := func(name, code string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(code), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	write("a.js", "export const hello = () => 'a';\n")
	write("b.ts", "export const hello = (): string => 'b';\n")

	b := bundle.NewBuilder(bundle.Options{Dir: dir})
	defer b.Close()
	first, err := b.Build(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	write("b.ts", "export const hello = (): string => 'B';\n")
	next, err := b.Build(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for i, m := range next.Modules {
		fmt.Printf("%s reused: %v\n", m.Rel, m == first.Modules[i])
	}
	fmt.Println("Reused:", next.Reused)
	// Output:
	// a.js reused: true
	// b.ts reused: false
	// Reused: 1
}
