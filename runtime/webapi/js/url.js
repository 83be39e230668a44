// URL and URLSearchParams (WHATWG URL). Parsing and serializing are in Go
// (url.go); this side holds the classes and the link between a URL and its
// searchParams.
(function (n) {
  'use strict';
  // The parts array from Go, by index.
  const HREF = 0, PROTOCOL = 1, USERNAME = 2, PASSWORD = 3, HOST = 4, HOSTNAME = 5, PORT = 6,
    PATHNAME = 7, SEARCH = 8, HASH = 9, ORIGIN = 10;
  const surrogate = /[\uD800-\uDFFF]/;
  const usv = (v) => {
    const s = `${v}`;
    return surrogate.test(s) ? n.usv(s) : s;
  };
  const iterator = Symbol.iterator;

  let setSearch; // (url, serializedQuery): the URLSearchParams update steps
  let newLinkedParams; // (url, query) -> URLSearchParams bound to url
  let resetParams; // (params, query): after url.search or url.href changed

  class URL {
    #p;
    #params = null;
    constructor(url, base = undefined) {
      if (arguments.length === 0) throw new TypeError('URL: 1 argument required, but only 0 present');
      const p = n.parse(usv(url), base === undefined ? undefined : usv(base));
      if (p === null) throw new TypeError(`Invalid URL: ${url}`);
      this.#p = p;
    }
    static canParse(url, base = undefined) {
      return n.parse(usv(url), base === undefined ? undefined : usv(base)) !== null;
    }
    static parse(url, base = undefined) {
      try { return new URL(url, base); } catch { return null; }
    }
    #set(field, v) {
      this.#p = n.set(this.#p[HREF], field, usv(v));
    }
    get href() { return this.#p[HREF]; }
    set href(v) {
      const p = n.parse(usv(v));
      if (p === null) throw new TypeError(`Invalid URL: ${v}`);
      this.#p = p;
      if (this.#params !== null) resetParams(this.#params, p[SEARCH]);
    }
    get origin() { return this.#p[ORIGIN]; }
    get protocol() { return this.#p[PROTOCOL]; }
    set protocol(v) { this.#set('protocol', v); }
    get username() { return this.#p[USERNAME]; }
    set username(v) { this.#set('username', v); }
    get password() { return this.#p[PASSWORD]; }
    set password(v) { this.#set('password', v); }
    get host() { return this.#p[HOST]; }
    set host(v) { this.#set('host', v); }
    get hostname() { return this.#p[HOSTNAME]; }
    set hostname(v) { this.#set('hostname', v); }
    get port() { return this.#p[PORT]; }
    set port(v) { this.#set('port', v); }
    get pathname() { return this.#p[PATHNAME]; }
    set pathname(v) { this.#set('pathname', v); }
    get search() { return this.#p[SEARCH]; }
    set search(v) {
      this.#set('search', v);
      if (this.#params !== null) resetParams(this.#params, this.#p[SEARCH]);
    }
    get searchParams() {
      return this.#params ??= newLinkedParams(this, this.#p[SEARCH]);
    }
    get hash() { return this.#p[HASH]; }
    set hash(v) { this.#set('hash', v); }
    toString() { return this.#p[HREF]; }
    toJSON() { return this.#p[HREF]; }
    static {
      setSearch = (url, s) => { url.#p = n.set(url.#p[HREF], 'search', s); };
    }
  }

  const parsePairs = (s) => {
    if (s.startsWith('?')) s = s.slice(1);
    const flat = n.formParse(s);
    const list = [];
    for (let i = 0; i < flat.length; i += 2) list.push([flat[i], flat[i + 1]]);
    return list;
  };

  class URLSearchParams {
    #list = [];
    #url = null;
    constructor(init = undefined) {
      if (init === undefined || init === null) return;
      if (typeof init === 'object' || typeof init === 'function') {
        if (init[iterator] !== undefined && init[iterator] !== null) {
          for (const pair of init) {
            if ((typeof pair !== 'object' && typeof pair !== 'function') || pair === null || pair[iterator] == null) {
              throw new TypeError('URLSearchParams: each pair must be an iterable [name, value]');
            }
            const p = [...pair];
            if (p.length !== 2) throw new TypeError('URLSearchParams: each pair must have exactly two items');
            this.#list.push([usv(p[0]), usv(p[1])]);
          }
        } else {
          for (const k of Reflect.ownKeys(init)) {
            const d = Reflect.getOwnPropertyDescriptor(init, k);
            if (d === undefined || !d.enumerable) continue;
            if (typeof k === 'symbol') throw new TypeError('URLSearchParams: a record key is a symbol');
            this.#list.push([usv(k), usv(init[k])]);
          }
        }
        return;
      }
      this.#list = parsePairs(usv(init));
    }
    #update() {
      if (this.#url !== null) setSearch(this.#url, this.toString());
    }
    get size() { return this.#list.length; }
    append(name, value) {
      if (arguments.length < 2) throw new TypeError('URLSearchParams.append: 2 arguments required');
      this.#list.push([usv(name), usv(value)]);
      this.#update();
    }
    delete(name, value = undefined) {
      if (arguments.length < 1) throw new TypeError('URLSearchParams.delete: 1 argument required');
      const k = usv(name);
      const v = value === undefined ? undefined : usv(value);
      this.#list = this.#list.filter((p) => p[0] !== k || (v !== undefined && p[1] !== v));
      this.#update();
    }
    get(name) {
      if (arguments.length < 1) throw new TypeError('URLSearchParams.get: 1 argument required');
      const k = usv(name);
      for (const p of this.#list) if (p[0] === k) return p[1];
      return null;
    }
    getAll(name) {
      if (arguments.length < 1) throw new TypeError('URLSearchParams.getAll: 1 argument required');
      const k = usv(name);
      const out = [];
      for (const p of this.#list) if (p[0] === k) out.push(p[1]);
      return out;
    }
    has(name, value = undefined) {
      if (arguments.length < 1) throw new TypeError('URLSearchParams.has: 1 argument required');
      const k = usv(name);
      const v = value === undefined ? undefined : usv(value);
      return this.#list.some((p) => p[0] === k && (v === undefined || p[1] === v));
    }
    set(name, value) {
      if (arguments.length < 2) throw new TypeError('URLSearchParams.set: 2 arguments required');
      const k = usv(name), v = usv(value);
      const i = this.#list.findIndex((p) => p[0] === k);
      if (i < 0) {
        this.#list.push([k, v]);
      } else {
        this.#list[i][1] = v;
        this.#list = this.#list.filter((p, j) => j <= i || p[0] !== k);
      }
      this.#update();
    }
    sort() {
      // A stable sort by code units of the names (Array.prototype.sort is stable).
      this.#list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      this.#update();
    }
    forEach(callback, thisArg = undefined) {
      if (typeof callback !== 'function') throw new TypeError('URLSearchParams.forEach: callback is not a function');
      for (let i = 0; i < this.#list.length; i++) {
        const p = this.#list[i];
        callback.call(thisArg, p[1], p[0], this);
      }
    }
    *entries() { for (let i = 0; i < this.#list.length; i++) yield [this.#list[i][0], this.#list[i][1]]; }
    *keys() { for (let i = 0; i < this.#list.length; i++) yield this.#list[i][0]; }
    *values() { for (let i = 0; i < this.#list.length; i++) yield this.#list[i][1]; }
    toString() { return n.formSerialize(this.#list.flat()); }
    static {
      newLinkedParams = (url, query) => {
        const sp = new URLSearchParams();
        sp.#list = parsePairs(query);
        sp.#url = url;
        return sp;
      };
      resetParams = (sp, query) => { sp.#list = parsePairs(query); };
    }
  }
  Object.defineProperty(URLSearchParams.prototype, iterator, {
    value: URLSearchParams.prototype.entries, writable: true, configurable: true,
  });
  for (const C of [URL, URLSearchParams]) {
    Object.defineProperty(C.prototype, Symbol.toStringTag, { value: C.name, configurable: true });
  }
  return { URL, URLSearchParams };
})
