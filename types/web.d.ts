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
