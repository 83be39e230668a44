// Package webapi gives a goja runtime the web-standard globals that
// browsers, Node and workers share, as the WHATWG and W3C specifications
// define them:
//
//   - TextEncoder and TextDecoder (Encoding; UTF-8 only, with fatal,
//     ignoreBOM, streaming decode and encodeInto);
//   - URL and URLSearchParams (URL; the spec's parser, with the setters and
//     a searchParams live-linked to search);
//   - atob and btoa (HTML's forgiving-base64);
//   - crypto.getRandomValues, crypto.randomUUID and crypto.subtle's digest
//     (SHA-1, SHA-256, SHA-384, SHA-512), and generateKey, importKey,
//     exportKey, sign and verify for HMAC keys ("raw" format), with Crypto,
//     SubtleCrypto and CryptoKey;
//   - structuredClone (HTML's structured clone, with ArrayBuffer transfer);
//   - queueMicrotask and performance (now, timeOrigin, toJSON);
//   - DOMException, which the others throw as the specs say.
//
// [Install] defines them all on one runtime. The work is in Go's standard
// library (unicode/utf8, encoding/base64, crypto/*, net/netip) behind thin
// natives; the classes are small JS preludes in js/, compiled once per
// process and shared by every runtime.
//
// # Cost
//
// Install defines each name as an accessor (two native functions per name)
// and builds nothing else: about 40 µs, 25 KiB and 285 allocations per
// runtime on the development machines (BenchmarkInstall less
// BenchmarkNewRuntime), against ~250 µs for goja_nodejs's require, console
// and Buffer. The first read of a name builds its group in that runtime,
// once (BenchmarkFirstUse less BenchmarkInstall): atob/btoa and performance
// ~2 KiB, queueMicrotask ~15 KiB, DOMException ~25 KiB, TextEncoder and
// TextDecoder ~65 KiB, structuredClone ~80 KiB, URL and URLSearchParams or
// crypto ~100 KiB, each from a few µs to a few hundred µs (most of it goja
// building its own lazily made built-ins and the classes' methods).
//
// # Bounds
//
// goja cannot interrupt native Go code, so every native call that reads or
// produces bytes is capped at [MaxInputBytes] (a RangeError beyond it):
// TextEncoder.encode, TextDecoder.decode, atob, btoa and crypto.subtle's
// digest, importKey, sign and verify. getRandomValues has WebCrypto's own
// quota of 65536 bytes. URL parsing and structuredClone are linear in their
// input, which a script already holds; structuredClone walks in JS and can be
// interrupted.
//
// # Departures from the specs
//
//   - Domain names go to ASCII by lowercasing, full-width ASCII and
//     ideographic full stops mapped to ASCII, ignored code points dropped,
//     and punycode (RFC 3492) per label, not with the full UTS #46 mapping
//     table: common names (münchen.de, 例え.テスト, ＧＯＯ.com) agree with
//     browsers, rarer mappings (compatibility forms, case folds beyond
//     Unicode lowercasing) may not, and no Bidi, joiner or hyphen checks are
//     made.
//   - structuredClone transfers ArrayBuffers only (there are no other
//     transferable objects here), and tells WeakMap, WeakSet, WeakRef and
//     Symbol wrappers from plain objects by their Symbol.toStringTag.
//   - An exception thrown by a queueMicrotask callback rejects a promise
//     nobody holds: goja hands it to the runtime's promise rejection tracker
//     (if one is set) rather than to a global error handler.
//   - performance.now() counts from Install, not from a navigation or the
//     process start.
//
// # Goroutines
//
// Like the runtime itself, everything here belongs to the goroutine that
// runs the runtime: call Install there, before scripts run. The compiled
// preludes are the only state shared between runtimes, and they are
// immutable once compiled.
package webapi
