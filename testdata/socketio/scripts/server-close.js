// The event "server-close" on "/": the server closes the connection, which
// a socket.io-client sees as "transport close" and reconnects after.

/** @param {import("eventhost").Socket} socket */
export default function (socket) {
  socket.close();
}
