// queueMicrotask (HTML): the callback runs as a promise job, after the
// current script and before any timer. A callback that throws rejects a
// promise nobody holds: goja reports it to the runtime's promise rejection
// tracker, if one is set.
(function () {
  'use strict';
  const resolved = Promise.resolve();
  const then = Promise.prototype.then;
  return {
    queueMicrotask(callback) {
      if (typeof callback !== 'function') throw new TypeError("queueMicrotask: the callback provided as parameter 1 is not a function");
      then.call(resolved, () => { callback(); });
    },
  };
})
