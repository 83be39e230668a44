// Package engine runs the handlers of a scripts folder in a bounded pool of
// goja VMs.
//
// An Engine owns a generation (one build of the scripts: compiled modules and
// the route table), a FIFO queue of calls, and PoolSize workers. Each worker
// is one goroutine that owns one goja.Runtime and runs an event loop for it:
// it takes calls from the shared queue, fires its timers, and nothing else
// touches its runtime. A handler that awaits does not hold its worker: the
// worker goes back to the queue and resumes the handler on the same VM when
// its timer fires or its promise settles.
//
// The eval mode decides one thing, how a worker gets a module's exports: in
// ModePreload it evaluates each module once per generation and reuses the
// exports; in ModeReeval it evaluates the module's own code afresh for every
// call, while what the module imports comes from the VM's registry
// (registry.go): each imported file evaluated once per VM and generation.
//
// Besides routes, a generation may hold the connect, connected and
// disconnect hooks of the scripts' _connection module (Connect, Connected,
// Disconnect). What a handler's socket object does (data, rooms, emits) it
// asks of the network side through the Socket and Hub interfaces:
// connection state lives there, not in the VMs.
//
// # Payloads
//
// Arguments cross the boundary as a Payload: the first as Data (JSON text,
// or bytes when Binary), the others as the JSON array Rest, and binary
// values nested anywhere in them as Attachments, referenced from the JSON
// by {"_placeholder":true,"num":N}. A request's Payload fields become the
// handler's arguments fn(socket, data, ...rest), placeholders replaced by
// Buffers; a reply (ack(a, ...rest) or a plain value) and every emit
// (emit(event, a, ...rest)) are written the same way. A request or reply
// with one JSON argument and no binary inside takes the same path, at the
// same cost, as before payloads had more than one.
//
// # Host I/O off the VM
//
// A native function that does Go work (an HTTP request, a database query)
// starts it with v.startAsync(work) (async.go) and returns the pending
// promise it gets: the VM is not held while the work runs, it serves other
// calls, and the handler merely awaits, as it does a timer. work runs on a
// goroutine the engine owns, gets a context that ends when the owning call
// ends (answered, timed out, aborted, its connection gone, the VM reset, the
// engine closed), and returns a settle function. That result reaches the VM
// through its worker's loop (the worker's results channel, read by the same
// select as the queue and the timers), where settle runs on the VM's
// goroutine and the promise is resolved with its value or rejected with its
// error (or with what it throws). A result that arrives after its call
// ended, or on a VM replaced since, is dropped. At most Config.MaxAsync
// operations are in flight across the engine; one more is rejected at once.
// Close cancels the work in flight and waits for its goroutines, so work
// must return when its context ends.
//
//	v.rt.Set("sleep", func(call goja.FunctionCall) goja.Value {
//		d := time.Duration(call.Argument(0).ToInteger()) * time.Millisecond
//		return v.startAsync(func(ctx context.Context) func() (goja.Value, error) {
//			// Off the VM: touch no goja value here.
//			select {
//			case <-time.After(d):
//			case <-ctx.Done():
//				return func() (goja.Value, error) { return nil, ctx.Err() }
//			}
//			return func() (goja.Value, error) { // on the VM's goroutine
//				return v.rt.ToValue("slept"), nil
//			}
//		})
//	})
//
// Packages that install natives without importing the engine (fetch)
// declare the same function type, AsyncWork, and get v.startAsync as a
// function value.
//
// # The database
//
// The native module's db object (dbjs.go) reaches Config.DB, a Database the
// engine declares and cmd wires to a db.DB. Every statement is host work:
// its parameters are converted to Go values on the VM (bytes copied), the
// statement runs off the VM under its call's context, and the rows become
// JS values on the VM (dbvalues.go holds the mapping both ways). db.tx is
// two pieces of host work: one holds Database.Tx open, waiting for the
// script's function to settle (or the call to end: rollback); the other
// waits for the transaction to begin and then calls the function on the VM.
//
// # Goroutines
//
// Call, Connect, Connected, Disconnect, HasRoute, Reload, Routes, WaitHooks
// and Close are safe from any goroutine. The callbacks of a Request (and
// Connected's started) run on a worker goroutine (Done may also run on the
// goroutine of an expiring context, started on the caller's when no hook
// runs) and must not block. The goroutines of host work (startAsync) belong
// to the engine: each ends when its work returns, and Close waits for them.
package engine
