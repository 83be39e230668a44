// Connection hooks of the rooms fixture (private: no routes).
import { io } from "eventhost";

export function connect(handshake: { query: Record<string, string>; auth: Record<string, any> | null }) {
  if (handshake.query.deny === "403") throw Object.assign(new Error("members only"), { code: "forbidden" });
  if (handshake.query.deny === "401") return false;
  return { name: handshake.auth?.name ?? handshake.query.name ?? "guest" };
}

export function disconnect(socket: any, reason: string) {
  for (const room of socket.rooms) io.to(room).emit("left", { name: socket.data.name, reason });
}
