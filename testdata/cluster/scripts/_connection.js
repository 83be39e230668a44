// The cluster tests' disconnect hook: tells the room "watch" on every node
// which connection ended and why (TestClusterShutdown: a node shutting down
// still reaches the others from its hooks).
import { io } from "eventhost";

export function disconnect(socket, reason) {
  io.to("watch").emit("left", { id: socket.id, reason });
}
