package webapi_test

import (
	"fmt"

	"github.com/dop251/goja"

	"github.com/eventhost/eventhost/runtime/webapi"
)

// Install once per runtime, before scripts run; the globals are built on
// first use.
func ExampleInstall() {
	rt := goja.New()
	if err := webapi.Install(rt); err != nil {
		panic(err)
	}
	v, err := rt.RunString(`
		const u = new URL("/search?q=a+b", "https://example.com");
		u.searchParams.append("page", "2");
		[u.href, u.searchParams.get("q"), btoa("hi"), new TextDecoder().decode(new TextEncoder().encode("é"))].join(" ")`)
	if err != nil {
		panic(err)
	}
	fmt.Println(v)
	// Output: https://example.com/search?q=a+b&page=2 a b aGk= é
}
