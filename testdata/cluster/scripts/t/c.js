// Handlers for the three-node cluster tests (cmd/eventhost cluster_test.go):
// each names whom it emits to; the pushes are "msg" with data.msg, and
// "seq" with 0..n-1 for burst.
import { io } from "eventhost";

export function join(socket, data) {
  for (const room of [].concat(data.room)) socket.join(room);
  return socket.id;
}

export function leave(socket, data) {
  socket.leave(data.room);
  return true;
}

export function id(socket) {
  return socket.id;
}

/** socket.to(room).emit: the room's members on every node but the sender. */
export function toRoom(socket, data) {
  return socket.to(data.room).emit("msg", data.msg);
}

/** io.to(a).to(b)...emit: each member of any of the rooms once. */
export function toRooms(socket, data) {
  let target = io;
  for (const room of data.rooms) target = target.to(room);
  return target.emit("msg", data.msg);
}

/** io.emit: everyone. */
export function all(socket, data) {
  return io.emit("msg", data.msg);
}

/** socket.broadcast.emit: everyone but the sender. */
export function broadcast(socket, data) {
  return socket.broadcast.emit("msg", data.msg);
}

/** io.to(socketId).emit: one connection, on whichever node. */
export function toSocket(socket, data) {
  return io.to(data.id).emit("msg", data.msg);
}

/** io.except(socketId).emit: everyone but that connection. */
export function except(socket, data) {
  return io.except(data.id).emit("msg", data.msg);
}

/** The cluster-wide count of a room. */
export async function count(socket, data) {
  return await io.in(data.room).count();
}

/** n pushes "seq" 0..n-1 to a room, in order. */
export function burst(socket, data) {
  for (let i = 0; i < data.n; i++) io.to(data.room).emit("seq", i);
  return data.n;
}
