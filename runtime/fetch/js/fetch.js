// The fetch globals. Evaluated once per runtime, on first use, as a
// function of the natives: native.fetch(method, url, headerPairs, body,
// redirect) returns [promise, abort]; the promise resolves to a record
// {status, statusText, url, redirected, headers, body} or rejects with
// TypeError("fetch failed") carrying a cause.
(function (native) {
"use strict";

const internal = {}; // constructs what scripts cannot: signals, fetched responses
const kRaw = Symbol("body");
const kAbort = Symbol("abort");

const tokenRe = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const badValueRe = /[\0\r\n]/;
const trimRe = /^[\t\n\r ]+|[\t\n\r ]+$/g;

function headerName(n) {
  n = String(n);
  if (!tokenRe.test(n)) throw new TypeError(`Headers: invalid header name "${n}"`);
  return n.toLowerCase();
}
function headerValue(v) {
  v = String(v).replace(trimRe, "");
  if (badValueRe.test(v)) throw new TypeError("Headers: invalid header value");
  return v;
}

class Headers {
  #list = [];
  constructor(init = undefined) {
    if (init === undefined || init === null) return;
    if (init instanceof Headers) {
      for (const [k, v] of init.#list) this.#list.push([k, v]);
      return;
    }
    if (typeof init !== "object" && typeof init !== "function") {
      throw new TypeError("Headers: init must be an object, an iterable of pairs or a Headers");
    }
    if (typeof init[Symbol.iterator] === "function") {
      for (const pair of init) {
        const p = Array.from(pair);
        if (p.length !== 2) throw new TypeError("Headers: each header pair must have two items");
        this.append(p[0], p[1]);
      }
      return;
    }
    for (const k of Object.keys(init)) this.append(k, init[k]);
  }
  append(name, value) { this.#list.push([headerName(name), headerValue(value)]); }
  delete(name) { const n = headerName(name); this.#list = this.#list.filter((p) => p[0] !== n); }
  get(name) {
    const n = headerName(name);
    const vs = [];
    for (const p of this.#list) if (p[0] === n) vs.push(p[1]);
    return vs.length ? vs.join(", ") : null;
  }
  getSetCookie() { return this.#list.filter((p) => p[0] === "set-cookie").map((p) => p[1]); }
  has(name) { const n = headerName(name); return this.#list.some((p) => p[0] === n); }
  set(name, value) {
    const n = headerName(name), v = headerValue(value);
    const i = this.#list.findIndex((p) => p[0] === n);
    if (i < 0) { this.#list.push([n, v]); return; }
    this.#list = this.#list.filter((p, j) => j < i || p[0] !== n);
    this.#list.splice(i, 0, [n, v]);
  }
  forEach(callback, thisArg = undefined) {
    for (const [k, v] of this) callback.call(thisArg, v, k, this);
  }
  *entries() {
    const names = [...new Set(this.#list.map((p) => p[0]))].sort();
    for (const n of names) {
      if (n === "set-cookie") { for (const v of this.getSetCookie()) yield [n, v]; }
      else yield [n, this.get(n)];
    }
  }
  *keys() { for (const [k] of this.entries()) yield k; }
  *values() { for (const [, v] of this.entries()) yield v; }
  [Symbol.iterator]() { return this.entries(); }
  get [Symbol.toStringTag]() { return "Headers"; }
}

// extractBody returns what a body init is sent as: a string, a fresh
// Uint8Array or null, and its default content type.
function extractBody(body) {
  if (body === undefined || body === null) return [null, null];
  if (typeof body === "string") return [body, "text/plain;charset=UTF-8"];
  if (body instanceof URLSearchParams) return [body.toString(), "application/x-www-form-urlencoded;charset=UTF-8"];
  if (body instanceof ArrayBuffer) return [new Uint8Array(body.slice(0)), null];
  if (ArrayBuffer.isView(body)) {
    return [new Uint8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)), null];
  }
  return [String(body), "text/plain;charset=UTF-8"];
}

let decoder, encoder;
function utf8Decode(u8) { decoder ??= new TextDecoder(); return decoder.decode(u8); }
function utf8Encode(s) { encoder ??= new TextEncoder(); return encoder.encode(s); }

// Body is what Request and Response share: a body read once.
class Body {
  #body; #used = false;
  constructor(body) { this.#body = body; }
  get bodyUsed() { return this.#used; }
  [kRaw]() { return this.#body; }
  #take() {
    if (this.#used) throw new TypeError("Body is unusable: the body has already been read");
    this.#used = true;
    return this.#body;
  }
  async text() {
    const b = this.#take();
    return b === null ? "" : typeof b === "string" ? b : utf8Decode(b);
  }
  async json() { return JSON.parse(await this.text()); }
  async arrayBuffer() {
    const b = this.#take();
    if (b === null) return new ArrayBuffer(0);
    const u = typeof b === "string" ? utf8Encode(b) : b;
    return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength);
  }
  async bytes() { return new Uint8Array(await this.arrayBuffer()); }
}

const methods = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]; // normalized to upper case
const redirects = ["follow", "error", "manual"];

class Request extends Body {
  #method; #url; #headers; #signal; #redirect;
  constructor(input, init = {}) {
    init ??= {};
    const base = input instanceof Request ? input : null;
    let body = null, type = null;
    if (init.body !== undefined && init.body !== null) [body, type] = extractBody(init.body);
    else if (base) {
      if (base.bodyUsed) throw new TypeError("Request: the body of the input has already been read");
      body = base[kRaw]();
    }
    super(body);
    let url;
    try { url = base ? base.url : new URL(String(input)).href; } catch (e) {
      throw new TypeError(`Request: invalid URL "${String(input)}" (fetch needs an absolute URL)`);
    }
    let method = init.method !== undefined ? String(init.method) : base ? base.method : "GET";
    if (!tokenRe.test(method)) throw new TypeError(`Request: invalid method "${method}"`);
    const upper = method.toUpperCase();
    if (upper === "CONNECT" || upper === "TRACE" || upper === "TRACK") throw new TypeError(`Request: method ${upper} is not allowed`);
    if (methods.includes(upper)) method = upper;
    if ((method === "GET" || method === "HEAD") && body !== null) {
      throw new TypeError("Request with GET/HEAD method cannot have body");
    }
    const redirect = init.redirect !== undefined ? String(init.redirect) : base ? base.redirect : "follow";
    if (!redirects.includes(redirect)) throw new TypeError(`Request: redirect must be follow, error or manual, not "${redirect}"`);
    const signal = init.signal !== undefined ? init.signal : base ? base.signal : null;
    if (signal !== null && !(signal instanceof AbortSignal)) throw new TypeError("Request: signal must be an AbortSignal");
    this.#url = url;
    this.#method = method;
    this.#headers = new Headers(init.headers !== undefined ? init.headers : base ? base.headers : undefined);
    if (type !== null && !this.#headers.has("content-type")) this.#headers.set("content-type", type);
    this.#redirect = redirect;
    this.#signal = signal;
  }
  get method() { return this.#method; }
  get url() { return this.#url; }
  get headers() { return this.#headers; }
  get redirect() { return this.#redirect; }
  get signal() { return this.#signal ??= new AbortSignal(internal); }
  [kAbort]() { return this.#signal; } // the signal given, or null
  clone() {
    if (this.bodyUsed) throw new TypeError("Request.clone: the body has already been read");
    return new Request(this, {});
  }
  get [Symbol.toStringTag]() { return "Request"; }
}

class Response extends Body {
  #status; #statusText; #headers; #url = ""; #redirected = false; #type = "default";
  constructor(body = null, init = {}) {
    if (body === internal) { // a fetched response: init is the native record
      super(new Uint8Array(init.body));
      this.#status = init.status;
      this.#statusText = init.statusText;
      this.#headers = new Headers(init.headers);
      this.#url = init.url;
      this.#redirected = init.redirected;
      this.#type = "basic";
      return;
    }
    init ??= {};
    const [data, type] = extractBody(body);
    super(data);
    const status = init.status === undefined ? 200 : Number(init.status);
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`Response: status must be an integer from 200 to 599, not ${init.status}`);
    }
    if (data !== null && (status === 204 || status === 205 || status === 304)) {
      throw new TypeError(`Response with status ${status} cannot have a body`);
    }
    this.#status = status;
    this.#statusText = init.statusText === undefined ? "" : String(init.statusText);
    this.#headers = new Headers(init.headers);
    if (type !== null && !this.#headers.has("content-type")) this.#headers.set("content-type", type);
  }
  static json(data, init = {}) {
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeError("Response.json: the data cannot be serialized to JSON");
    const r = new Response(text, init);
    r.headers.set("content-type", "application/json");
    return r;
  }
  static redirect(url, status = 302) {
    if (![301, 302, 303, 307, 308].includes(status)) throw new RangeError(`Response.redirect: invalid status ${status}`);
    return new Response(null, { status, headers: { location: new URL(String(url)).href } });
  }
  static error() {
    const r = new Response(null, { status: 200 });
    r.#status = 0;
    r.#type = "error";
    return r;
  }
  get status() { return this.#status; }
  get ok() { return this.#status >= 200 && this.#status <= 299; }
  get statusText() { return this.#statusText; }
  get headers() { return this.#headers; }
  get url() { return this.#url; }
  get redirected() { return this.#redirected; }
  get type() { return this.#type; }
  clone() {
    if (this.bodyUsed) throw new TypeError("Response.clone: the body has already been read");
    const raw = this[kRaw]();
    const copy = new Response(internal, {
      body: raw === null ? new ArrayBuffer(0) : typeof raw === "string" ? utf8Encode(raw).buffer : raw.slice().buffer,
      status: this.#status, statusText: this.#statusText, headers: this.#headers,
      url: this.#url, redirected: this.#redirected,
    });
    copy.#type = this.#type;
    return copy;
  }
  get [Symbol.toStringTag]() { return "Response"; }
}

class AbortSignal {
  #aborted = false; #reason = undefined; #listeners = [];
  onabort = null;
  constructor(key) { if (key !== internal) throw new TypeError("Illegal constructor: use AbortController or AbortSignal.abort/timeout"); }
  get aborted() { return this.#aborted; }
  get reason() { return this.#reason; }
  throwIfAborted() { if (this.#aborted) throw this.#reason; }
  addEventListener(type, listener, options = undefined) {
    if (type !== "abort" || typeof listener !== "function" && !(listener && typeof listener.handleEvent === "function")) return;
    if (this.#listeners.some((l) => l.fn === listener)) return;
    const once = typeof options === "object" && options !== null && !!options.once;
    this.#listeners.push({ fn: listener, once });
  }
  removeEventListener(type, listener) {
    if (type === "abort") this.#listeners = this.#listeners.filter((l) => l.fn !== listener);
  }
  [kAbort](reason) {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason === undefined ? new DOMException("This operation was aborted", "AbortError") : reason;
    const event = { type: "abort", target: this, currentTarget: this };
    const run = (fn) => {
      try { typeof fn === "function" ? fn.call(this, event) : fn.handleEvent(event); }
      catch (e) { console.error("an abort listener threw: " + (e && e.stack || e)); }
    };
    if (typeof this.onabort === "function") run(this.onabort);
    const ls = this.#listeners;
    this.#listeners = ls.filter((l) => !l.once);
    for (const l of ls) run(l.fn);
  }
  static abort(reason = undefined) { const s = new AbortSignal(internal); s[kAbort](reason); return s; }
  static timeout(ms) {
    const s = new AbortSignal(internal);
    setTimeout(() => s[kAbort](new DOMException("The operation was aborted due to timeout", "TimeoutError")), Number(ms));
    return s;
  }
  static any(signals) {
    const s = new AbortSignal(internal);
    for (const x of signals) {
      if (!(x instanceof AbortSignal)) throw new TypeError("AbortSignal.any: every item must be an AbortSignal");
      if (x.aborted) { s[kAbort](x.reason); return s; }
    }
    for (const x of signals) x.addEventListener("abort", () => s[kAbort](x.reason), { once: true });
    return s;
  }
  get [Symbol.toStringTag]() { return "AbortSignal"; }
}

class AbortController {
  #signal = new AbortSignal(internal);
  get signal() { return this.#signal; }
  abort(reason = undefined) { this.#signal[kAbort](reason); }
  get [Symbol.toStringTag]() { return "AbortController"; }
}

function fetch(input, init = undefined) {
  return new Promise((resolve, reject) => {
    const req = new Request(input, init); // a throw rejects
    const signal = req[kAbort]();
    if (signal !== null && signal.aborted) { reject(signal.reason); return; }
    const raw = req[kRaw]();
    const [pending, abort] = native.fetch(req.method, req.url, Array.from(req.headers), raw, req.redirect);
    let done = false, onAbort = null;
    const finish = () => { done = true; if (onAbort !== null) signal.removeEventListener("abort", onAbort); };
    if (signal !== null) {
      onAbort = () => { if (done) return; finish(); abort(); reject(signal.reason); };
      signal.addEventListener("abort", onAbort, { once: true });
    }
    pending.then(
      (r) => { if (!done) { finish(); resolve(new Response(internal, r)); } },
      (e) => { if (!done) { finish(); reject(e); } });
  });
}

return { fetch, Headers, Request, Response, AbortController, AbortSignal };
})
