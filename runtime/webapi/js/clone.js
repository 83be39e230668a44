// structuredClone (HTML's StructuredSerialize/Deserialize in one pass):
// primitives, plain objects and arrays (own enumerable string keys),
// Date, RegExp, Map, Set, ArrayBuffer, typed arrays, DataView, Error and
// the primitive wrappers, with shared references and cycles kept.
// Functions, symbols, proxies and other exotic objects throw DataCloneError.
// The kind of an object comes from Go (clone.go), from internal slots that
// a script cannot fake.
(function (n) {
  'use strict';
  const DOMException = n.DOMException;
  const kind = n.kind;
  const getter = (proto, name) => Object.getOwnPropertyDescriptor(proto, name).get;
  const TypedArray = Object.getPrototypeOf(Int8Array);
  const taBuffer = getter(TypedArray.prototype, 'buffer');
  const taOffset = getter(TypedArray.prototype, 'byteOffset');
  const taLength = getter(TypedArray.prototype, 'length');
  const taName = getter(TypedArray.prototype, Symbol.toStringTag);
  const dvBuffer = getter(DataView.prototype, 'buffer');
  const dvOffset = getter(DataView.prototype, 'byteOffset');
  const dvLength = getter(DataView.prototype, 'byteLength');
  const abSlice = ArrayBuffer.prototype.slice;
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
  const ctors = {
    Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
    Float32Array, Float64Array, BigInt64Array, BigUint64Array,
  };
  const errors = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };
  const exotic = new Set(['[object WeakMap]', '[object WeakSet]', '[object WeakRef]', '[object FinalizationRegistry]', '[object Symbol]']);
  const toString = Object.prototype.toString;

  const fail = (what) => {
    throw new DOMException(`${what} could not be cloned.`, 'DataCloneError');
  };
  const put = (out, k, v) => {
    if (k === '__proto__') defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
    else out[k] = v;
  };

  function structuredClone(value, options = undefined) {
    if (arguments.length === 0) throw new TypeError('structuredClone: 1 argument required, but only 0 present');
    if (options !== undefined && options !== null) {
      if (typeof options !== 'object') throw new TypeError('structuredClone: options is not an object');
      if (options.transfer !== undefined && [...options.transfer].length > 0) {
        throw new DOMException('structuredClone: transfer is not supported', 'DataCloneError');
      }
    }
    const memory = new Map();
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
        case 'ArrayBuffer': out = abSlice.call(v, 0); break;
        case 'TypedArray': {
          const buf = clone(taBuffer.call(v));
          out = new ctors[taName.call(v)](buf, taOffset.call(v), taLength.call(v));
          break;
        }
        case 'DataView': {
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
          if (!hasOwn.call(errors, name)) name = 'Error';
          const md = Object.getOwnPropertyDescriptor(v, 'message');
          out = md === undefined ? new errors[name]() : new errors[name](`${md.value}`);
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
    return clone(value);
  }
  return { structuredClone };
})
