import { sleep } from "../_lib/sleep.js";

export function id(socket) {
  return socket.id;
}

export function close(socket, data) {
  socket.close(data.code, data.reason);
}

export function order(socket, data) {
  socket.emit("seen", data.n);
  return data.n;
}

export async function slow(socket, data) {
  await sleep(data?.ms ?? 50);
  return data?.n ?? null;
}

export async function later(socket, data) {
  setTimeout(() => socket.emit("later", data), 20);
  return "scheduled";
}

export function emitBinary(socket) {
  socket.emit("bin", new Uint8Array([1, 2, 3]));
  return null;
}

export function nothing() {}

export function busy(socket, data) {
  const until = Date.now() + (data?.ms ?? 300);
  while (Date.now() < until) {}
  return "done";
}
