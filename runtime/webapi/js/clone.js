// structuredClone (HTML's StructuredSerialize/Deserialize in one pass):
// primitives, plain objects and arrays (own enumerable string keys),
// Date, RegExp, Map, Set, ArrayBuffer, typed arrays, DataView, Error and
// the primitive wrappers, with shared references and cycles kept.
// Functions, symbols, proxies and other exotic objects throw DataCloneError.
// ArrayBuffers in options.transfer move to the clone.
// The kind of an object comes from Go (clone.go), from internal slots that
// a script cannot fake.
(function (n) {
  'use strict';
  // DOMException is read from n when first thrown: its group is built then.
  const domError = (message, name) => new n.DOMException(message, name);
  const kind = n.kind;
  const getter = (proto, name) => Object.getOwnPropertyDescriptor(proto, name).get;
  // The intrinsics of the buffer kinds, read when a buffer is first cloned.
  let taBuffer, taOffset, taLength, taName, dvBuffer, dvOffset, dvLength, abSlice;
  const buffers = () => {
    if (abSlice !== undefined) return;
    const TypedArray = Object.getPrototypeOf(Int8Array.prototype);
    taBuffer = getter(TypedArray, 'buffer');
    taOffset = getter(TypedArray, 'byteOffset');
    taLength = getter(TypedArray, 'length');
    taName = getter(TypedArray, Symbol.toStringTag);
    dvBuffer = getter(DataView.prototype, 'buffer');
    dvOffset = getter(DataView.prototype, 'byteOffset');
    dvLength = getter(DataView.prototype, 'byteLength');
    abSlice = ArrayBuffer.prototype.slice;
  };
  const reSource = getter(RegExp.prototype, 'source');
  const reFlags = getter(RegExp.prototype, 'flags');
  const getTime = Date.prototype.getTime;
  const mapEntries = Map.prototype.entries;
  const mapSet = Map.prototype.set;
  const setValues = Set.prototype.values;
  const setAdd = Set.prototype.add;
  const boolValue = Boolean.prototype.valueOf;
  const numValue = Number.prototype.valueOf;
  const strValue = String.prototype.valueOf;
  const bigValue = BigInt.prototype.valueOf;
  const hasOwn = Object.prototype.hasOwnProperty;
  const keys = Object.keys;
  const defineProperty = Object.defineProperty;
  // The typed array and error constructors are looked up by name when first
  // needed (each is a class goja builds lazily, and most runtimes clone
  // none), then kept.
  const global = globalThis;
  const typedNames = new Set(['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array',
    'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array']);
  const errorNames = new Set(['Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError']);
  const ctors = new Map();
  const ctor = (name) => {
    let c = ctors.get(name);
    if (c === undefined) {
      c = global[name];
      ctors.set(name, c);
    }
    return c;
  };
  const exotic = new Set(['[object WeakMap]', '[object WeakSet]', '[object WeakRef]', '[object FinalizationRegistry]', '[object Symbol]']);
  const toString = Object.prototype.toString;

  const fail = (what) => {
    throw domError(`${what} could not be cloned.`, 'DataCloneError');
  };
  const put = (out, k, v) => {
    if (k === '__proto__') defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
    else out[k] = v;
  };

  function structuredClone(value, options = undefined) {
    if (arguments.length === 0) throw new TypeError('structuredClone: 1 argument required, but only 0 present');
    let transfer = [];
    if (options !== undefined && options !== null) {
      if (typeof options !== 'object') throw new TypeError('structuredClone: options is not an object');
      if (options.transfer !== undefined) transfer = [...options.transfer];
    }
    const memory = new Map();
    // Transferred ArrayBuffers: the clone gets a new buffer over the same
    // bytes, and the originals are detached once the clone has succeeded.
    for (let i = 0; i < transfer.length; i++) {
      const t = transfer[i];
      if (kind(t) !== 'ArrayBuffer') throw domError('structuredClone: only ArrayBuffers can be transferred', 'DataCloneError');
      if (memory.has(t)) throw domError('structuredClone: an ArrayBuffer is in the transfer list twice', 'DataCloneError');
      if (n.detached(t)) throw domError('structuredClone: a detached ArrayBuffer cannot be transferred', 'DataCloneError');
      memory.set(t, n.share(t));
    }
    const copyProps = (v, out) => {
      const ks = keys(v);
      for (let i = 0; i < ks.length; i++) {
        const k = ks[i];
        if (hasOwn.call(v, k)) put(out, k, clone(v[k]));
      }
      return out;
    };
    const clone = (v) => {
      const t = typeof v;
      if (t === 'symbol') fail('Symbol()');
      if (t === 'function') fail(`function ${v.name || '(anonymous)'}`);
      if (t !== 'object' || v === null) return v;
      const seen = memory.get(v);
      if (seen !== undefined) return seen;
      let out;
      switch (kind(v)) {
        case 'Boolean': out = Object(boolValue.call(v)); break;
        case 'Number': out = Object(numValue.call(v)); break;
        case 'String': out = Object(strValue.call(v)); break;
        case 'BigInt': out = Object(bigValue.call(v)); break;
        case 'Date': out = new Date(getTime.call(v)); break;
        case 'RegExp': out = new RegExp(reSource.call(v), reFlags.call(v)); break;
        case 'ArrayBuffer': buffers(); out = abSlice.call(v, 0); break;
        case 'TypedArray': {
          buffers();
          const buf = clone(taBuffer.call(v));
          const name = taName.call(v);
          if (!typedNames.has(name)) fail(name);
          out = new (ctor(name))(buf, taOffset.call(v), taLength.call(v));
          break;
        }
        case 'DataView': {
          buffers();
          const buf = clone(dvBuffer.call(v));
          out = new DataView(buf, dvOffset.call(v), dvLength.call(v));
          break;
        }
        case 'Map': {
          out = new Map();
          memory.set(v, out);
          const entries = [...mapEntries.call(v)];
          for (const [k, e] of entries) mapSet.call(out, clone(k), clone(e));
          return out;
        }
        case 'Set': {
          out = new Set();
          memory.set(v, out);
          const values = [...setValues.call(v)];
          for (const e of values) setAdd.call(out, clone(e));
          return out;
        }
        case 'Error': {
          let name = v.name;
          if (!errorNames.has(name)) name = 'Error';
          const E = ctor(name);
          const md = Object.getOwnPropertyDescriptor(v, 'message');
          out = md === undefined ? new E() : new E(`${md.value}`);
          memory.set(v, out);
          const sd = Object.getOwnPropertyDescriptor(v, 'stack');
          if (sd !== undefined && typeof sd.value === 'string') {
            defineProperty(out, 'stack', { value: sd.value, writable: true, configurable: true, enumerable: false });
          }
          if (hasOwn.call(v, 'cause')) {
            defineProperty(out, 'cause', { value: clone(v.cause), writable: true, configurable: true, enumerable: false });
          }
          return out;
        }
        case 'Array':
          out = new Array(v.length);
          memory.set(v, out);
          return copyProps(v, out);
        case 'Object':
          if (exotic.has(toString.call(v))) fail(toString.call(v));
          out = {};
          memory.set(v, out);
          return copyProps(v, out);
        default:
          fail(toString.call(v));
      }
      memory.set(v, out);
      return out;
    };
    const out = clone(value);
    for (let i = 0; i < transfer.length; i++) n.detach(transfer[i]);
    return out;
  }
  return { structuredClone };
})
