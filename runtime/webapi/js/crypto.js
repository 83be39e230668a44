// crypto, Crypto, SubtleCrypto and CryptoKey (W3C WebCrypto): random values,
// UUIDs, SHA digests and HMAC keys. The work is in Go (crypto.go).
(function (n) {
  'use strict';
  // DOMException is read from n when first thrown: its group is built then.
  const domError = (message, name) => new n.DOMException(message, name);
  const token = Symbol('internal');
  const hashNames = new Map([['sha-1', 'SHA-1'], ['sha-256', 'SHA-256'], ['sha-384', 'SHA-384'], ['sha-512', 'SHA-512']]);
  const usagesAllowed = new Set(['sign', 'verify']);
  const str = (v) => `${v}`;
  // HMAC's default key length: the hash's block size.
  const blockBits = { 'SHA-1': 512, 'SHA-256': 512, 'SHA-384': 1024, 'SHA-512': 1024 };
  const checkUsages = (usages, what) => {
    for (const u of usages) {
      if (!usagesAllowed.has(u)) throw domError(`${what}: usage "${u}" is not valid for HMAC`, 'SyntaxError');
    }
    if (usages.length === 0) throw domError(`${what}: usages must not be empty`, 'SyntaxError');
    return [...new Set(usages)];
  };

  // algName normalizes an AlgorithmIdentifier (a string or {name}) to its
  // name, upper-cased for comparison.
  const algName = (alg) => {
    if (typeof alg === 'object' && alg !== null) {
      if (alg.name === undefined) throw new TypeError('Algorithm: name is required');
      return str(alg.name).toUpperCase();
    }
    return str(alg).toUpperCase();
  };
  const hashName = (h) => {
    const name = hashNames.get(algName(h).toLowerCase());
    if (name === undefined) throw domError('Unrecognized hash algorithm', 'NotSupportedError');
    return name;
  };

  class CryptoKey {
    #type;
    #extractable;
    #algorithm;
    #usages;
    #handle;
    constructor(t, type, extractable, algorithm, usages, handle) {
      if (t !== token) throw new TypeError('Illegal constructor');
      this.#type = type;
      this.#extractable = extractable;
      this.#algorithm = algorithm;
      this.#usages = usages;
      this.#handle = handle;
    }
    get type() { return this.#type; }
    get extractable() { return this.#extractable; }
    get algorithm() { return this.#algorithm; }
    get usages() { return this.#usages; }
    static {
      CryptoKey.handle = (key, usage, what) => {
        if (!(typeof key === 'object' && key !== null && #handle in key)) throw new TypeError(`${what}: key is not a CryptoKey`);
        if (usage !== null && !key.#usages.includes(usage)) {
          throw domError(`${what}: the key does not allow "${usage}"`, 'InvalidAccessError');
        }
        return key.#handle;
      };
    }
  }
  const keyHandle = CryptoKey.handle;
  delete CryptoKey.handle;

  const hmacOnly = (alg, key, what) => {
    if (algName(alg) !== 'HMAC') throw domError(`${what}: unsupported algorithm`, 'NotSupportedError');
    if (key.algorithm.name !== 'HMAC') throw domError(`${what}: the key is not an HMAC key`, 'InvalidAccessError');
  };
  const notSupported = (what) => Promise.reject(domError(`crypto.subtle.${what} is not supported`, 'NotSupportedError'));

  class SubtleCrypto {
    constructor(t) {
      if (t !== token) throw new TypeError('Illegal constructor');
    }
    async digest(algorithm, data) {
      const name = hashNames.get(algName(algorithm).toLowerCase());
      if (name === undefined) throw domError('Unrecognized algorithm name', 'NotSupportedError');
      return n.digest(name, data);
    }
    async generateKey(algorithm, extractable, keyUsages) {
      if (algName(algorithm) !== 'HMAC') throw domError('generateKey: unsupported algorithm (only HMAC)', 'NotSupportedError');
      if (typeof algorithm !== 'object' || algorithm === null || algorithm.hash === undefined) {
        throw new TypeError('generateKey: HmacKeyGenParams needs hash');
      }
      const hash = hashName(algorithm.hash);
      const usages = checkUsages([...keyUsages].map(str), 'generateKey');
      let length = blockBits[hash];
      if (algorithm.length !== undefined) {
        length = Number(algorithm.length);
        if (!Number.isInteger(length) || length <= 0 || length > 8 * 65536) {
          throw domError('generateKey: length must be a positive number of bits', 'OperationError');
        }
      }
      const handle = n.hmacGenerate(hash, length);
      return new CryptoKey(token, 'secret', !!extractable, { name: 'HMAC', hash: { name: hash }, length }, usages, handle);
    }
    async importKey(format, keyData, algorithm, extractable, keyUsages) {
      if (str(format) !== 'raw') throw domError(`importKey: format "${format}" is not supported (only "raw")`, 'NotSupportedError');
      if (algName(algorithm) !== 'HMAC') throw domError('importKey: unsupported algorithm (only HMAC)', 'NotSupportedError');
      if (typeof algorithm !== 'object' || algorithm === null || algorithm.hash === undefined) {
        throw new TypeError('importKey: HmacImportParams needs hash');
      }
      const hash = hashName(algorithm.hash);
      const usages = [...keyUsages].map(str);
      for (const u of usages) {
        if (!usagesAllowed.has(u)) throw domError(`importKey: usage "${u}" is not valid for HMAC`, 'SyntaxError');
      }
      const bytes = n.byteLength(keyData);
      if (bytes === 0) throw domError('importKey: empty key data', 'DataError');
      let length = bytes * 8;
      if (algorithm.length !== undefined) {
        const l = Number(algorithm.length);
        if (!Number.isInteger(l) || l <= 0 || l > length || l <= length - 8) {
          throw domError('importKey: length does not match the key data', 'DataError');
        }
        length = l;
      }
      if (usages.length === 0) throw domError('importKey: usages must not be empty', 'SyntaxError');
      const handle = n.hmacKey(hash, keyData);
      const alg = { name: 'HMAC', hash: { name: hash }, length };
      return new CryptoKey(token, 'secret', !!extractable, alg, [...new Set(usages)], handle);
    }
    async exportKey(format, key) {
      const h = keyHandle(key, null, 'exportKey');
      if (str(format) !== 'raw') throw domError(`exportKey: format "${format}" is not supported (only "raw")`, 'NotSupportedError');
      if (!key.extractable) throw domError('exportKey: the key is not extractable', 'InvalidAccessError');
      return n.exportRaw(h);
    }
    async sign(algorithm, key, data) {
      const h = keyHandle(key, 'sign', 'sign');
      hmacOnly(algorithm, key, 'sign');
      return n.hmacSign(h, data);
    }
    async verify(algorithm, key, signature, data) {
      const h = keyHandle(key, 'verify', 'verify');
      hmacOnly(algorithm, key, 'verify');
      return n.hmacVerify(h, signature, data);
    }
    encrypt() { return notSupported('encrypt'); }
    decrypt() { return notSupported('decrypt'); }
    deriveKey() { return notSupported('deriveKey'); }
    deriveBits() { return notSupported('deriveBits'); }
    wrapKey() { return notSupported('wrapKey'); }
    unwrapKey() { return notSupported('unwrapKey'); }
  }

  const subtle = new SubtleCrypto(token);
  class Crypto {
    constructor(t) {
      if (t !== token) throw new TypeError('Illegal constructor');
    }
    get subtle() { return subtle; }
    getRandomValues(array) { return n.getRandomValues(array); }
    randomUUID() { return n.randomUUID(); }
  }
  for (const C of [CryptoKey, SubtleCrypto, Crypto]) {
    Object.defineProperty(C.prototype, Symbol.toStringTag, { value: C.name, configurable: true });
  }
  return { crypto: new Crypto(token), Crypto, SubtleCrypto, CryptoKey };
})
