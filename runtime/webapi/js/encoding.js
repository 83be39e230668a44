// TextEncoder and TextDecoder (WHATWG Encoding), UTF-8 only.
(function (n) {
  'use strict';
  const U8 = Uint8Array;
  const labels = new Set(['unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'utf-8', 'utf8', 'x-unicode20utf8']);
  const str = (v) => `${v}`;
  const dict = (v, what) => {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' && typeof v !== 'function') throw new TypeError(`${what}: options is not an object`);
    return v;
  };

  class TextEncoder {
    #brand = true;
    get encoding() { this.#brand; return 'utf-8'; }
    encode(input = '') {
      this.#brand;
      return new U8(n.encode(str(input)));
    }
    encodeInto(source, destination) {
      this.#brand;
      if (!(destination instanceof U8)) throw new TypeError('TextEncoder.encodeInto: destination is not a Uint8Array');
      const r = n.encodeInto(str(source), destination);
      return { read: r[0], written: r[1] };
    }
  }

  class TextDecoder {
    #d;
    #fatal;
    #ignoreBOM;
    constructor(label = 'utf-8', options = undefined) {
      const l = str(label).replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '').toLowerCase();
      if (!labels.has(l)) throw new RangeError(`TextDecoder: the "${label}" encoding is not supported (only utf-8 is)`);
      const o = dict(options, 'TextDecoder');
      this.#fatal = !!o.fatal;
      this.#ignoreBOM = !!o.ignoreBOM;
      this.#d = n.newDecoder(this.#fatal, this.#ignoreBOM);
    }
    get encoding() { this.#d; return 'utf-8'; }
    get fatal() { return this.#fatal; }
    get ignoreBOM() { return this.#ignoreBOM; }
    decode(input = undefined, options = undefined) {
      const d = this.#d;
      const o = dict(options, 'TextDecoder.decode');
      return n.decode(d, input, !!o.stream);
    }
  }
  for (const C of [TextEncoder, TextDecoder]) {
    Object.defineProperty(C.prototype, Symbol.toStringTag, { value: C.name, configurable: true });
  }
  return { TextEncoder, TextDecoder };
})
