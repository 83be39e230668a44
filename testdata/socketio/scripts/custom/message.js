// The route custom.message: the event "message" on the namespace "/custom"
// (this folder having routes is what makes eventhost serve "/custom").
// Echoed back as "message-back", as on "/".

/** @param {import("eventhost").Socket} socket @param {unknown[]} args */
export default function (socket, ...args) {
  socket.emit("message-back", ...args);
}
