// The globals a script has in eventhost besides the ECMAScript built-ins:
// console, the timers, Buffer, require, and Symbol.dispose for `using`; then,
// in the second half of this file, the web-standard ones (fetch and its
// classes, TextEncoder/TextDecoder, URL, atob/btoa, crypto, structuredClone,
// queueMicrotask, performance). See docs/scripts.md ("Globals").
//
// Nothing else is declared on purpose: process, global (use globalThis) and
// setImmediate do not exist at run time, so using one is a type error.
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

// ================================================================ web platform

// The web-standard globals eventhost gives scripts (package runtime/webapi):
// DOMException, TextEncoder/TextDecoder, URL/URLSearchParams, atob/btoa,
// crypto (getRandomValues, randomUUID, subtle digest and HMAC), structuredClone,
// queueMicrotask and performance. They follow the WHATWG and W3C specs, as in
// browsers and Node; where eventhost differs, the comment says so.
//
// Native work is capped: one call reads or produces at most 32 MiB (a
// RangeError beyond it) in TextEncoder.encode, TextDecoder.decode, atob,
// btoa and crypto.subtle's digest, importKey, sign and verify.
//
// This file is a global script (no top-level import or export).

/** ArrayBuffer, any typed array (Buffer included) or a DataView. */
type BufferSource = ArrayBufferView | ArrayBuffer;

// ----------------------------------------------------------- DOMException

/**
 * The error the web APIs throw, with a `name` saying which (such as
 * "InvalidCharacterError", "DataCloneError", "NotSupportedError") and the
 * legacy numeric `code`. It is an `Error`.
 */
interface DOMException extends Error {
  readonly name: string;
  readonly message: string;
  /** The legacy code of the name (5 for InvalidCharacterError, ...), or 0. */
  readonly code: number;
}
declare var DOMException: {
  prototype: DOMException;
  new (message?: string, name?: string): DOMException;
};

// --------------------------------------------------------------- encoding

/** Encodes strings as UTF-8 (lone surrogates become U+FFFD). */
interface TextEncoder {
  /** Always "utf-8". */
  readonly encoding: "utf-8";
  /** The UTF-8 bytes of `input` (default ""). */
  encode(input?: string): Uint8Array<ArrayBuffer>;
  /**
   * Writes as many whole characters of `source` as fit into `destination`.
   * @returns how many UTF-16 code units were read and bytes written
   */
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}
declare var TextEncoder: {
  prototype: TextEncoder;
  new (): TextEncoder;
};

/** Options of the TextDecoder constructor. */
interface TextDecoderOptions {
  /** Throw a TypeError on malformed input instead of inserting U+FFFD. */
  fatal?: boolean;
  /** Keep a leading byte order mark instead of dropping it. */
  ignoreBOM?: boolean;
}

/** Options of TextDecoder.decode. */
interface TextDecodeOptions {
  /** More input follows: keep an unfinished sequence for the next call. */
  stream?: boolean;
}

/**
 * Decodes UTF-8 (the only encoding here: another label throws RangeError).
 * Malformed input gives one U+FFFD per maximal subpart, or a TypeError
 * when `fatal`.
 */
interface TextDecoder {
  /** Always "utf-8". */
  readonly encoding: string;
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;
  decode(input?: BufferSource, options?: TextDecodeOptions): string;
}
declare var TextDecoder: {
  prototype: TextDecoder;
  /** @param label "utf-8" or one of its aliases ("utf8", "unicode-1-1-utf-8", ...) */
  new (label?: string, options?: TextDecoderOptions): TextDecoder;
};

// -------------------------------------------------------------------- URL

/**
 * A URL parsed as the WHATWG URL Standard says (as browsers and Node do).
 * Setting an attribute re-parses that part; a value that does not parse
 * is ignored, except for href, which throws TypeError.
 *
 * Non-ASCII host names are converted by lowercasing and punycode per label,
 * which agrees with browsers for common names but does not apply the full
 * UTS #46 mapping.
 */
interface URL {
  href: string;
  /** scheme://host[:port] for http, https, ws, wss, ftp (and blob: of those); otherwise "null". */
  readonly origin: string;
  /** The scheme with its colon, such as "https:". */
  protocol: string;
  username: string;
  password: string;
  /** hostname[:port] */
  host: string;
  hostname: string;
  /** "" for the scheme's default port. */
  port: string;
  pathname: string;
  /** "" or "?..." */
  search: string;
  /** The query as name/value pairs, kept in step with `search`. */
  readonly searchParams: URLSearchParams;
  /** "" or "#..." */
  hash: string;
  toString(): string;
  toJSON(): string;
}
declare var URL: {
  prototype: URL;
  /** @throws TypeError when `url` (against `base`) does not parse */
  new (url: string | URL, base?: string | URL): URL;
  /** Whether `new URL(url, base)` would succeed. */
  canParse(url: string | URL, base?: string | URL): boolean;
  /** `new URL(url, base)`, or null where that would throw. */
  parse(url: string | URL, base?: string | URL): URL | null;
};

/** application/x-www-form-urlencoded name/value pairs, in order. */
interface URLSearchParams {
  /** The number of pairs. */
  readonly size: number;
  append(name: string, value: string): void;
  /** Removes every pair with `name` (and `value`, when given). */
  delete(name: string, value?: string): void;
  /** The first value of `name`, or null. */
  get(name: string): string | null;
  getAll(name: string): string[];
  has(name: string, value?: string): boolean;
  /** Sets the first pair of `name` to `value` and removes the others (or appends). */
  set(name: string, value: string): void;
  /** Sorts by name (UTF-16 code units), keeping the order of equal names. */
  sort(): void;
  forEach(callbackfn: (value: string, key: string, parent: URLSearchParams) => void, thisArg?: any): void;
  entries(): IterableIterator<[string, string]>;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  [Symbol.iterator](): IterableIterator<[string, string]>;
  /** The pairs serialized, without a leading "?". */
  toString(): string;
}
declare var URLSearchParams: {
  prototype: URLSearchParams;
  /**
   * @param init a query string (a leading "?" is dropped), an iterable of
   * [name, value] pairs, or a record of names to values
   */
  new (init?: string | Iterable<readonly [string, string]> | Record<string, string> | URLSearchParams): URLSearchParams;
};

// ----------------------------------------------------------------- base64

/**
 * Decodes base64 (whitespace and missing padding are forgiven) into a
 * string of byte-valued characters.
 * @throws DOMException "InvalidCharacterError" on input that is not base64
 */
declare function atob(data: string): string;
/**
 * Encodes a string of byte-valued characters (each below U+0100) as base64.
 * @throws DOMException "InvalidCharacterError" on a character above U+00FF
 */
declare function btoa(data: string): string;

// ----------------------------------------------------------------- crypto

/** The integer typed arrays crypto.getRandomValues fills. */
type IntegerTypedArray =
  | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array;

/** A name, or an object with one, as WebCrypto takes algorithms. */
type AlgorithmIdentifier = string | { name: string };

/** The hash functions here. */
type HashAlgorithmName = "SHA-1" | "SHA-256" | "SHA-384" | "SHA-512";

/** importKey's algorithm for HMAC keys. */
interface HmacImportParams {
  name: "HMAC";
  hash: HashAlgorithmName | { name: HashAlgorithmName };
  /** The key's length in bits, if less than its data's. */
  length?: number;
}

/** An HMAC key made by crypto.subtle.importKey or generateKey; its secret stays in Go. */
interface CryptoKey {
  readonly type: "secret";
  readonly extractable: boolean;
  readonly algorithm: { name: "HMAC"; hash: { name: HashAlgorithmName }; length: number };
  readonly usages: ("sign" | "verify")[];
}
declare var CryptoKey: {
  prototype: CryptoKey;
};

/**
 * WebCrypto's subtle interface, with SHA digests and HMAC. Every method
 * returns a promise, and rejects (rather than throws) on bad input. Other
 * algorithms, and the methods only they have (encrypt, decrypt, deriveKey,
 * deriveBits, wrapKey, unwrapKey), reject with NotSupportedError.
 */
interface SubtleCrypto {
  digest(algorithm: HashAlgorithmName | { name: HashAlgorithmName }, data: BufferSource): Promise<ArrayBuffer>;
  importKey(
    format: "raw",
    keyData: BufferSource,
    algorithm: HmacImportParams,
    extractable: boolean,
    keyUsages: Iterable<"sign" | "verify">,
  ): Promise<CryptoKey>;
  /** A random HMAC key, of the hash's block size unless `length` (bits) is given. */
  generateKey(
    algorithm: { name: "HMAC"; hash: HashAlgorithmName | { name: HashAlgorithmName }; length?: number },
    extractable: boolean,
    keyUsages: Iterable<"sign" | "verify">,
  ): Promise<CryptoKey>;
  /** The key's bytes; rejects with InvalidAccessError unless it is extractable. */
  exportKey(format: "raw", key: CryptoKey): Promise<ArrayBuffer>;
  sign(algorithm: "HMAC" | { name: "HMAC" }, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer>;
  /** Compares in constant time. */
  verify(algorithm: "HMAC" | { name: "HMAC" }, key: CryptoKey, signature: BufferSource, data: BufferSource): Promise<boolean>;
  encrypt(...args: any[]): Promise<never>;
  decrypt(...args: any[]): Promise<never>;
  deriveKey(...args: any[]): Promise<never>;
  deriveBits(...args: any[]): Promise<never>;
  wrapKey(...args: any[]): Promise<never>;
  unwrapKey(...args: any[]): Promise<never>;
}
declare var SubtleCrypto: {
  prototype: SubtleCrypto;
};

/** Cryptographically strong randomness, from Go's crypto/rand. */
interface Crypto {
  readonly subtle: SubtleCrypto;
  /**
   * Fills `array` with random values and returns it.
   * @throws DOMException "TypeMismatchError" for a float array or a DataView,
   * "QuotaExceededError" beyond 65536 bytes
   */
  getRandomValues<T extends IntegerTypedArray>(array: T): T;
  /** A random (version 4) UUID, lowercase. */
  randomUUID(): `${string}-${string}-${string}-${string}-${string}`;
}
declare var Crypto: {
  prototype: Crypto;
};
declare var crypto: Crypto;

// -------------------------------------------------------- structuredClone

/** Options of structuredClone. */
interface StructuredSerializeOptions {
  /**
   * ArrayBuffers to move into the clone: the clone gets their bytes and
   * the originals are detached (byteLength 0). Anything else throws
   * DataCloneError.
   */
  transfer?: ArrayBuffer[];
}

/**
 * A deep copy of `value`: primitives, plain objects and arrays (own
 * enumerable string keys; class instances become plain objects), Date,
 * RegExp, Map, Set, ArrayBuffer, typed arrays, DataView, Error and the
 * primitive wrappers, with shared references and cycles kept.
 * @throws DOMException "DataCloneError" for functions, symbols, proxies,
 * promises, WeakMap/WeakSet and other objects that cannot be cloned
 */
declare function structuredClone<T = any>(value: T, options?: StructuredSerializeOptions): T;

// --------------------------------------------------------- queueMicrotask

/**
 * Runs `callback` as a promise job: after the current code, before any
 * timer. An exception from it is reported like an unhandled rejection.
 */
declare function queueMicrotask(callback: () => void): void;

// ------------------------------------------------------------ performance

/** High-resolution time. */
interface Performance {
  /** Milliseconds (fractional, monotonic) since this VM was set up. */
  now(): number;
  /** The wall-clock time of the VM's set-up, in Unix milliseconds. */
  readonly timeOrigin: number;
  toJSON(): { timeOrigin: number };
}
declare var performance: Performance;

// ------------------------------------------------------------------ fetch
// (package runtime/fetch) WHATWG fetch on Go's net/http, off the VM. The
// response body is read whole (at most -fetch-max-body) before fetch
// resolves; there are no streams, Blob or FormData. A network failure, a
// destination refused by -fetch-allow, a body over -fetch-max-body or
// -fetch-timeout rejects with TypeError("fetch failed") whose `cause` is an
// Error with a `code` (ECONNREFUSED, ENOTFOUND, ETIMEDOUT,
// ERR_FETCH_NOT_ALLOWED, ERR_FETCH_BODY_TOO_LARGE, ERR_FETCH_REDIRECT,
// ERR_FETCH_SCHEME). A fetch still pending when its call ends is cancelled.

type HeadersInit = Headers | [string, string][] | Iterable<readonly [string, string]> | Record<string, string>;
type BodyInit = string | ArrayBuffer | ArrayBufferView | URLSearchParams;
type RequestRedirect = "follow" | "error" | "manual";
type RequestInfo = Request | string | URL;

interface RequestInit {
  method?: string;
  headers?: HeadersInit;
  body?: BodyInit | null;
  signal?: AbortSignal | null;
  redirect?: RequestRedirect;
}
interface ResponseInit {
  status?: number;
  statusText?: string;
  headers?: HeadersInit;
}

/** Header names are lower-cased; entries are sorted, set-cookie values kept apart. */
interface Headers extends Iterable<[string, string]> {
  append(name: string, value: string): void;
  delete(name: string): void;
  get(name: string): string | null;
  getSetCookie(): string[];
  has(name: string): boolean;
  set(name: string, value: string): void;
  forEach(callback: (value: string, name: string, headers: Headers) => void, thisArg?: unknown): void;
  entries(): IterableIterator<[string, string]>;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  [Symbol.iterator](): IterableIterator<[string, string]>;
}
declare var Headers: { prototype: Headers; new (init?: HeadersInit): Headers };

/** What Request and Response share: a body that can be read once. */
interface Body {
  readonly bodyUsed: boolean;
  text(): Promise<string>;
  json(): Promise<any>;
  arrayBuffer(): Promise<ArrayBuffer>;
  bytes(): Promise<Uint8Array>;
}

interface Request extends Body {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  readonly redirect: RequestRedirect;
  readonly signal: AbortSignal;
  clone(): Request;
}
declare var Request: { prototype: Request; new (input: RequestInfo, init?: RequestInit): Request };

interface Response extends Body {
  readonly status: number;
  readonly ok: boolean;
  readonly statusText: string;
  readonly headers: Headers;
  /** The final URL, after redirects. */
  readonly url: string;
  readonly redirected: boolean;
  readonly type: "basic" | "default" | "error";
  clone(): Response;
}
declare var Response: {
  prototype: Response;
  new (body?: BodyInit | null, init?: ResponseInit): Response;
  json(data: unknown, init?: ResponseInit): Response;
  redirect(url: string | URL, status?: number): Response;
  error(): Response;
};

interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: any;
  onabort: ((this: AbortSignal, ev: { type: "abort"; target: AbortSignal }) => any) | null;
  throwIfAborted(): void;
  addEventListener(type: "abort", listener: (ev: { type: "abort"; target: AbortSignal }) => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: (ev: { type: "abort"; target: AbortSignal }) => void): void;
}
declare var AbortSignal: {
  prototype: AbortSignal;
  abort(reason?: any): AbortSignal;
  /** Aborts with a DOMException named TimeoutError after ms (an engine timer). */
  timeout(ms: number): AbortSignal;
  any(signals: Iterable<AbortSignal>): AbortSignal;
};

interface AbortController {
  readonly signal: AbortSignal;
  abort(reason?: any): void;
}
declare var AbortController: { prototype: AbortController; new (): AbortController };

/**
 * Fetches a URL with Go's net/http. Resolves once the whole body has been
 * read; rejects with TypeError("fetch failed") (see above), or with the
 * signal's reason when it aborts.
 */
declare function fetch(input: RequestInfo, init?: RequestInit): Promise<Response>;
