import { sleep } from "../_lib/sleep.js";

/**
 * api.clock.wait: an async handler. Waits {"ms": n} milliseconds (at most 5000)
 * without holding a VM, then replies.
 *
 * @param {import("eventhost").Socket} socket
 * @param {{ ms?: number } | undefined} data
 */
export async function wait(socket, data) {
  const ms = Math.min(Number(data?.ms ?? 100), 5000);
  const started = Date.now();
  await sleep(ms);
  return { waited: Date.now() - started };
}

/**
 * api.clock.ticks: pushes {"event": "clock.tick"} {"count": n} times, one every
 * 100 ms, then replies with the count.
 *
 * @param {import("eventhost").Socket} socket
 * @param {{ count?: number } | undefined} data
 */
export async function ticks(socket, data) {
  const count = Math.min(Number(data?.count ?? 3), 50);
  for (let i = 1; i <= count; i++) {
    await sleep(100);
    socket.emit("clock.tick", { n: i, at: new Date().toISOString() });
  }
  return count;
}
