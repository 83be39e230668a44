// Package fetch gives scripts WHATWG fetch on Go's net/http: the Go client
// (Client, with its bounds and allow-list) and the JS globals fetch,
// Headers, Request, Response, AbortController and AbortSignal (Install).
//
// A fetch runs off the VM: Install takes the engine's start function, which
// runs the request on a goroutine the engine owns under a context that ends
// with the call that started it, and settles the fetch's promise on the
// VM's goroutine. The response body is read whole (up to Options.MaxBody)
// before the promise resolves, so text(), json(), arrayBuffer() and bytes()
// only decode what is already there; there are no streams.
//
// # Goroutines
//
// A Client is safe for concurrent use. Install and the globals it defines
// belong to the goroutine that owns the runtime. Client.Do blocks until the
// response body has been read or ctx ends.
package fetch
