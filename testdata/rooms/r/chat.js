import { io } from "eventhost";

export function whoami(socket) {
  return { name: socket.data.name, auth: socket.auth, query: socket.handshake.query };
}

export async function join(socket, { room }) {
  socket.join(room);
  const told = socket.to(room).emit("joined", { name: socket.data.name });
  return { rooms: socket.rooms, told, members: (await io.in(room).count()).count };
}

export function leave(socket, { room }) {
  socket.leave(room);
  return socket.rooms;
}

export function say(socket, { room, text }) {
  return io.to(room).emit("message", { from: socket.data.name, text });
}

export function shout(socket, text) {
  return socket.broadcast.emit("shout", text);
}

export function everyone(socket, text) {
  return io.emit("all", text);
}

export function remember(socket, value) {
  socket.data.remembered = value;
  socket.data.calls = (socket.data.calls ?? 0) + 1;
  return socket.data;
}

export function recall(socket) {
  return socket.data;
}
