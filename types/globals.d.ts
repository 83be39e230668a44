// The globals a script has in eventhost besides the ECMAScript built-ins:
// console, the timers, Buffer, require, and Symbol.dispose for `using`; the
// web-standard ones (TextEncoder/TextDecoder, URL, atob/btoa, crypto,
// structuredClone, queueMicrotask, performance) are in web.d.ts. See
// docs/scripts.md ("Globals").
//
// Nothing else is declared on purpose: process, global (use globalThis),
// fetch and setImmediate do not exist at run time, so using one is a type
// error.
//
// This file is a global script (no top-level import or export).

// ---------------------------------------------------------------- console

/**
 * The script console: every line goes to the server log with
 * `script=file:line:column`, the event and the socket id. Arguments are
 * formatted as Node's `util.format` does (`%s`, `%d`, `%j`, `%o`, ...).
 */
interface Console {
  /** Logs at INFO. */
  log(...data: any[]): void;
  /** Logs at INFO. */
  info(...data: any[]): void;
  /** Logs at INFO (not DEBUG). */
  debug(...data: any[]): void;
  /** Logs at WARN. */
  warn(...data: any[]): void;
  /** Logs at ERROR. */
  error(...data: any[]): void;
}

/** The script console: log, info, debug, warn and error, to the server log. */
declare var console: Console;

// ----------------------------------------------------------------- timers

/**
 * Calls `callback(...args)` once after `ms` milliseconds (at least 1).
 *
 * Timers run on the engine's event loop: one whose connection has closed, or
 * whose call has timed out, is dropped instead of firing. At most 10 000
 * timers may be pending per VM.
 *
 * @param callback a function (a string of code is not accepted)
 * @param ms the delay in milliseconds; missing, below 1 or NaN means 1
 * @param args passed to the callback
 * @returns the timer's id, for clearTimeout
 */
declare function setTimeout<A extends any[]>(callback: (...args: A) => void, ms?: number, ...args: A): number;
/**
 * Calls `callback()` once after `ms` milliseconds (at least 1): the form of
 * `new Promise((resolve) => setTimeout(resolve, ms))`.
 *
 * @returns the timer's id, for clearTimeout
 */
declare function setTimeout(callback: (_: void) => void, ms?: number): number;

/**
 * Cancels a timer set by setTimeout (or setInterval). An unknown or
 * finished id is ignored.
 */
declare function clearTimeout(id?: number): void;

/**
 * Calls `callback(...args)` every `ms` milliseconds (at least 1) until
 * clearInterval. The same rules as setTimeout apply.
 *
 * @param callback a function (a string of code is not accepted)
 * @param ms the period in milliseconds; missing, below 1 or NaN means 1
 * @param args passed to the callback
 * @returns the timer's id, for clearInterval
 */
declare function setInterval<A extends any[]>(callback: (...args: A) => void, ms?: number, ...args: A): number;
/**
 * Calls `callback()` every `ms` milliseconds (at least 1) until
 * clearInterval.
 *
 * @returns the timer's id, for clearInterval
 */
declare function setInterval(callback: (_: void) => void, ms?: number): number;

/**
 * Cancels a timer set by setInterval (or setTimeout). An unknown id is
 * ignored.
 */
declare function clearInterval(id?: number): void;

// ----------------------------------------------------------------- Buffer

/**
 * The encodings Buffer accepts. Note the spelling `"base64Url"`: Node's
 * `"base64url"` is not recognised (toString throws; Buffer.from silently
 * decodes an unknown encoding as UTF-8). latin1, ascii and utf16le are not
 * supported.
 */
type BufferEncoding = "utf8" | "utf-8" | "hex" | "base64" | "base64Url";

/**
 * Bytes: a Uint8Array with Node's Buffer methods (goja_nodejs's subset).
 * A binary frame's payload (and a Socket.IO attachment) reaches a handler
 * as a Buffer, and a handler that returns one (or any typed array, DataView
 * or ArrayBuffer) replies with a binary frame; nested anywhere in a reply or
 * an emit's arguments, bytes are sent as bytes too (a Socket.IO attachment,
 * a base64 string on `/ws`).
 *
 * Not supported, unlike Node: `slice`, `map` and `filter` (they throw; use
 * `subarray`, or `Buffer.from(buf.subarray(a, b))` for a copy), `copy`,
 * `compare`, `toJSON` (JSON.stringify gives `{"0":..,"1":..}`, which is what
 * `socket.data` keeps of a Buffer; replies and emits send it as bytes).
 */
interface Buffer extends Uint8Array<ArrayBuffer> {
  /**
   * Decodes the bytes (or those from `start` to `end`) as a string.
   *
   * @param encoding `"utf8"` by default
   * @throws TypeError on an unknown encoding
   */
  toString(encoding?: BufferEncoding, start?: number, end?: number): string;
  /** Whether the bytes equal `other`'s. */
  equals(other: Uint8Array): boolean;
  /**
   * Writes `string`, encoded, at `offset` (0), at most `length` bytes (to
   * the end of the buffer).
   *
   * @returns the number of bytes written
   */
  write(string: string, offset?: number, length?: number, encoding?: BufferEncoding): number;
  /**
   * A Buffer over the bytes from `start` to `end`, sharing their memory (no
   * copy). Negative indexes count from the end.
   */
  subarray(start?: number, end?: number): Buffer;
  /** Reverses the bytes in place and returns this buffer. */
  reverse(): this;
  /**
   * @deprecated Throws a TypeError in eventhost (goja_nodejs cannot make a
   * Buffer from a length): use `subarray` (shared memory) or
   * `Buffer.from(buf.subarray(start, end))` for a copy.
   */
  slice(this: "Buffer.slice throws in eventhost: use subarray", start?: number, end?: number): never;
  /**
   * @deprecated Throws a TypeError in eventhost: use
   * `Buffer.from(Array.from(buf, fn))` instead.
   */
  map(this: "Buffer.map throws in eventhost: use Array.from(buf, fn)", callbackfn: (value: number, index: number, array: this) => number, thisArg?: any): never;
  /**
   * @deprecated Throws a TypeError in eventhost: use
   * `Buffer.from(Array.from(buf).filter(fn))` instead.
   */
  filter(this: "Buffer.filter throws in eventhost: use Array.from(buf).filter(fn)", predicate: (value: number, index: number, array: this) => unknown, thisArg?: any): never;

  /** Reads an unsigned byte at `offset` (0). */
  readUInt8(offset?: number): number;
  /** Reads an unsigned big-endian 16-bit integer at `offset` (0). */
  readUInt16BE(offset?: number): number;
  /** Reads an unsigned little-endian 16-bit integer at `offset` (0). */
  readUInt16LE(offset?: number): number;
  /** Reads an unsigned big-endian 32-bit integer at `offset` (0). */
  readUInt32BE(offset?: number): number;
  /** Reads an unsigned little-endian 32-bit integer at `offset` (0). */
  readUInt32LE(offset?: number): number;
  /** Reads an unsigned big-endian integer of `byteLength` (1–6) bytes at `offset`. */
  readUIntBE(offset: number, byteLength: number): number;
  /** Reads an unsigned little-endian integer of `byteLength` (1–6) bytes at `offset`. */
  readUIntLE(offset: number, byteLength: number): number;
  /** Reads a signed byte at `offset` (0). */
  readInt8(offset?: number): number;
  /** Reads a signed big-endian 16-bit integer at `offset` (0). */
  readInt16BE(offset?: number): number;
  /** Reads a signed little-endian 16-bit integer at `offset` (0). */
  readInt16LE(offset?: number): number;
  /** Reads a signed big-endian 32-bit integer at `offset` (0). */
  readInt32BE(offset?: number): number;
  /** Reads a signed little-endian 32-bit integer at `offset` (0). */
  readInt32LE(offset?: number): number;
  /** Reads a signed big-endian integer of `byteLength` (1–6) bytes at `offset`. */
  readIntBE(offset: number, byteLength: number): number;
  /** Reads a signed little-endian integer of `byteLength` (1–6) bytes at `offset`. */
  readIntLE(offset: number, byteLength: number): number;
  /** Reads a signed big-endian 64-bit integer at `offset` (0). */
  readBigInt64BE(offset?: number): bigint;
  /** Reads a signed little-endian 64-bit integer at `offset` (0). */
  readBigInt64LE(offset?: number): bigint;
  /** Reads an unsigned big-endian 64-bit integer at `offset` (0). */
  readBigUInt64BE(offset?: number): bigint;
  /** Reads an unsigned little-endian 64-bit integer at `offset` (0). */
  readBigUInt64LE(offset?: number): bigint;
  /** Reads a big-endian 32-bit float at `offset` (0). */
  readFloatBE(offset?: number): number;
  /** Reads a little-endian 32-bit float at `offset` (0). */
  readFloatLE(offset?: number): number;
  /** Reads a big-endian 64-bit float at `offset` (0). */
  readDoubleBE(offset?: number): number;
  /** Reads a little-endian 64-bit float at `offset` (0). */
  readDoubleLE(offset?: number): number;

  /** Writes an unsigned byte at `offset` (0); returns the offset after it. */
  writeUInt8(value: number, offset?: number): number;
  /** Writes an unsigned big-endian 16-bit integer at `offset` (0); returns the offset after it. */
  writeUInt16BE(value: number, offset?: number): number;
  /** Writes an unsigned little-endian 16-bit integer at `offset` (0); returns the offset after it. */
  writeUInt16LE(value: number, offset?: number): number;
  /** Writes an unsigned big-endian 32-bit integer at `offset` (0); returns the offset after it. */
  writeUInt32BE(value: number, offset?: number): number;
  /** Writes an unsigned little-endian 32-bit integer at `offset` (0); returns the offset after it. */
  writeUInt32LE(value: number, offset?: number): number;
  /** Writes an unsigned big-endian integer of `byteLength` (1–6) bytes at `offset`; returns the offset after it. */
  writeUIntBE(value: number, offset: number, byteLength: number): number;
  /** Writes an unsigned little-endian integer of `byteLength` (1–6) bytes at `offset`; returns the offset after it. */
  writeUIntLE(value: number, offset: number, byteLength: number): number;
  /** Writes a signed byte at `offset` (0); returns the offset after it. */
  writeInt8(value: number, offset?: number): number;
  /** Writes a signed big-endian 16-bit integer at `offset` (0); returns the offset after it. */
  writeInt16BE(value: number, offset?: number): number;
  /** Writes a signed little-endian 16-bit integer at `offset` (0); returns the offset after it. */
  writeInt16LE(value: number, offset?: number): number;
  /** Writes a signed big-endian 32-bit integer at `offset` (0); returns the offset after it. */
  writeInt32BE(value: number, offset?: number): number;
  /** Writes a signed little-endian 32-bit integer at `offset` (0); returns the offset after it. */
  writeInt32LE(value: number, offset?: number): number;
  /** Writes a signed big-endian integer of `byteLength` (1–6) bytes at `offset`; returns the offset after it. */
  writeIntBE(value: number, offset: number, byteLength: number): number;
  /** Writes a signed little-endian integer of `byteLength` (1–6) bytes at `offset`; returns the offset after it. */
  writeIntLE(value: number, offset: number, byteLength: number): number;
  /** Writes a signed big-endian 64-bit integer at `offset` (0); returns the offset after it. */
  writeBigInt64BE(value: bigint, offset?: number): number;
  /** Writes a signed little-endian 64-bit integer at `offset` (0); returns the offset after it. */
  writeBigInt64LE(value: bigint, offset?: number): number;
  /** Writes an unsigned big-endian 64-bit integer at `offset` (0); returns the offset after it. */
  writeBigUInt64BE(value: bigint, offset?: number): number;
  /** Writes an unsigned little-endian 64-bit integer at `offset` (0); returns the offset after it. */
  writeBigUInt64LE(value: bigint, offset?: number): number;
  /** Writes a big-endian 32-bit float at `offset` (0); returns the offset after it. */
  writeFloatBE(value: number, offset?: number): number;
  /** Writes a little-endian 32-bit float at `offset` (0); returns the offset after it. */
  writeFloatLE(value: number, offset?: number): number;
  /** Writes a big-endian 64-bit float at `offset` (0); returns the offset after it. */
  writeDoubleBE(value: number, offset?: number): number;
  /** Writes a little-endian 64-bit float at `offset` (0); returns the offset after it. */
  writeDoubleLE(value: number, offset?: number): number;
}

/**
 * The Buffer class: make buffers with `Buffer.from`, `Buffer.alloc` and
 * `Buffer.concat`; test for one with `x instanceof Buffer` (or
 * `x instanceof Uint8Array`).
 *
 * Not supported, unlike Node: `Buffer.isBuffer`, `Buffer.byteLength`
 * (use `Buffer.from(s).length`), `Buffer.compare`, `Buffer.isEncoding`,
 * `Buffer.allocUnsafe`.
 */
interface BufferConstructor {
  /**
   * The bytes of `string` in `encoding` (`"utf8"` by default; an unknown
   * encoding decodes as UTF-8).
   *
   * @example Buffer.from("aGkh", "base64").toString() // "hi!"
   */
  from(string: string, encoding?: BufferEncoding): Buffer;
  /**
   * A Buffer over `arrayBuffer`, sharing its memory (no copy), from
   * `byteOffset` (0) for `length` bytes (to the end).
   */
  from(arrayBuffer: ArrayBuffer, byteOffset?: number, length?: number): Buffer;
  /** A copy of the bytes of a Buffer or Uint8Array, or of an array of numbers 0–255. */
  from(data: Uint8Array | ArrayLike<number>): Buffer;
  /**
   * A new zero-filled Buffer of `size` bytes, or filled with `fill`: a byte
   * value, or a string in `encoding` (`"utf8"`) repeated.
   */
  alloc(size: number, fill?: string | number, encoding?: BufferEncoding): Buffer;
  /**
   * A new Buffer holding the bytes of `list` one after the other, cut (or
   * zero-padded) to `totalLength` when given.
   */
  concat(list: readonly Uint8Array[], totalLength?: number): Buffer;
  /** Node's pool size (8192); informational only. */
  readonly poolSize: number;
  readonly prototype: Buffer;
  /** @deprecated Use `Buffer.from(string, encoding)`. */
  new (string: string, encoding?: BufferEncoding): Buffer;
  /** @deprecated Use `Buffer.from(arrayBuffer, byteOffset, length)`. */
  new (arrayBuffer: ArrayBuffer, byteOffset?: number, length?: number): Buffer;
  /** @deprecated Use `Buffer.from(data)`. (A numeric size throws: use `Buffer.alloc`.) */
  new (data: Uint8Array | ArrayLike<number>): Buffer;
}

/**
 * Bytes: a Uint8Array with Node's Buffer methods (goja_nodejs's subset).
 * See {@link BufferConstructor} for what is missing compared with Node.
 */
declare var Buffer: BufferConstructor;

// ---------------------------------------------------------------- require

/**
 * Serves the runtime's native modules. Prefer `import { io, ack } from
 * "eventhost"`: every file and npm package is bundled at build time, and
 * "eventhost" is the only module require finds at run time (any other name
 * throws).
 */
declare function require(name: "eventhost"): typeof import("eventhost");

// ------------------------------------------------------ Symbol.dispose

// The runtime defines Symbol.dispose and Symbol.asyncDispose so that
// `using` and `await using` declarations (lowered by esbuild) work.

interface SymbolConstructor {
  /** The method that a `using` declaration calls at the end of its block. */
  readonly dispose: unique symbol;
  /** The method that an `await using` declaration awaits at the end of its block. */
  readonly asyncDispose: unique symbol;
}

/** A value a `using` declaration can hold. */
interface Disposable {
  [Symbol.dispose](): void;
}

/** A value an `await using` declaration can hold. */
interface AsyncDisposable {
  [Symbol.asyncDispose](): PromiseLike<void>;
}
