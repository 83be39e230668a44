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
// exports; in ModeReeval it evaluates the module afresh for every call.
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
// # Goroutines
//
// Call, Connect, Connected, Disconnect, HasRoute, Reload, Routes, WaitHooks
// and Close are safe from any goroutine. The callbacks of a Request (and
// Connected's started) run on a worker goroutine (Done may also run on the
// goroutine of an expiring context, started on the caller's when no hook
// runs) and must not block.
package engine
