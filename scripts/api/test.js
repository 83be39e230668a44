/**
 * api.test.board: echoes its data (the original project's test board).
 *
 * @param {import("eventhost").Socket} socket
 * @param {unknown} data
 */
export function board(socket, data) {
  return data;
}
