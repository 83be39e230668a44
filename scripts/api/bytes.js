// Binary frames: the payload arrives as a Buffer (a Uint8Array), and a handler
// that returns one replies with a binary frame.

/**
 * api.bytes.reverse: replies with the payload's bytes reversed.
 *
 * @param {import("eventhost").Socket} socket
 * @param {Buffer} payload
 */
export function reverse(socket, payload) {
  return Buffer.from(payload).reverse();
}

/**
 * api.bytes.info: replies with JSON about the payload.
 *
 * @param {import("eventhost").Socket} socket
 * @param {Buffer} payload
 */
export function info(socket, payload) {
  return { length: payload.length, base64: Buffer.from(payload).toString("base64") };
}
