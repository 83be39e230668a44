export function types() {
  return {
    setTimeout: typeof setTimeout,
    clearTimeout: typeof clearTimeout,
    setInterval: typeof setInterval,
    clearInterval: typeof clearInterval,
    Promise: typeof Promise,
    Buffer: typeof Buffer,
    console: typeof console,
    require: typeof require,
    process: typeof process,
    base64: Buffer.from("hello").toString("base64"),
    fromBase64: Buffer.from("aGVsbG8=", "base64").toString(),
  };
}

export function interval() {
  return new Promise((resolve) => {
    let n = 0;
    const h = setInterval(() => {
      if (++n === 3) {
        clearInterval(h);
        resolve(n);
      }
    }, 5);
  });
}

export function cleared() {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve("fired"), 10);
    clearTimeout(t);
    setTimeout(() => resolve("cleared"), 30);
  });
}

export function timerArgs() {
  return new Promise((resolve) => setTimeout((a, b) => resolve(a + b), 1, 40, 2));
}

export function binaryIn(socket, data) {
  return { isUint8Array: data instanceof Uint8Array, length: data.length, first: data[0] };
}

export function arrayBuffer() {
  return new Uint8Array([9, 8, 7]).buffer;
}

export function requireFS() {
  const name = ["f", "s"].join(""); // computed, so esbuild leaves it to run time
  return require(name);
}

export function disposes() {
  const log = [];
  {
    using res = { [Symbol.dispose]() { log.push("disposed"); } };
    log.push("used");
  }
  return log;
}
