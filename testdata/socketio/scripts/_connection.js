// Connection hooks for the Socket.IO suite (internal/siosuite) and the
// socket.io-client tests (internal/sioclient): the behaviours of
// testdata/socketio/reference-server.mjs, for eventhost.

/**
 * Refuses a CONNECT whose payload says refuse: true, so that the client
 * gets connect_error with err.message "refused" and err.data
 * {code: "forbidden"}. Runs at each namespace CONNECT.
 * @param {import("eventhost").Handshake} handshake
 */
export function connect(handshake) {
  const auth = /** @type {any} */ (handshake.auth);
  if (auth && auth.refuse === true) {
    throw Object.assign(new Error("refused"), { code: "forbidden" });
  }
}

/**
 * Once a namespace connection is open: the event "auth" with the CONNECT
 * payload, {} when there was none (the suite expects 42["auth",{}] and
 * 42/custom,["auth",{"token":"abc"}]).
 * @param {import("eventhost").Socket} socket
 */
export function connected(socket) {
  socket.emit("auth", socket.handshake.auth);
}
