// The event "message" on "/": every argument is echoed back as the event
// "message-back" (binary arguments, Uint8Arrays here, go back as
// attachments).

/** @param {import("eventhost").Socket} socket @param {unknown[]} args */
export default function (socket, ...args) {
  socket.emit("message-back", ...args);
}
