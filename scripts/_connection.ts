// The connection hooks (optional; this module is private: no routes).
//
// connect runs before a connection is accepted: what it returns becomes the
// connection's initial socket.data; returning false or throwing refuses it
// (401, or 403 for a thrown code "forbidden"). This one never refuses, so the
// shipped server works without JWTs: it only picks a display name for the
// chat example (scripts/chat/room.ts).
//
// disconnect runs once after a connection has ended.
import { io, type DisconnectReason, type Handshake, type Socket } from "eventhost";
import type { ChatData } from "./chat/room.js";

/**
 * Names the connection: the token's "name" claim when authenticated, else
 * the name a Socket.IO client gave (`io(url, {auth: {name: "Ada"}})`), else
 * the query parameter (`/ws?name=Ada`), else "guest".
 */
export function connect(handshake: Handshake): ChatData {
  const claimed = handshake.claims?.name ?? handshake.auth?.name;
  const name = (typeof claimed === "string" && claimed) || handshake.query.name || "guest";
  return { name: name.slice(0, 32) };
}

/** Tells the rooms the connection was in that it left, and logs why it ended. */
export function disconnect(socket: Socket<ChatData>, reason: DisconnectReason): void {
  const name = socket.data.name ?? "guest";
  for (const room of socket.rooms) {
    io.to(room).emit("chat.left", { room, name });
  }
  console.log("connection %s (%s) ended: %s", socket.id, name, reason);
}
