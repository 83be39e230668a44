// api.test.board: echoes its data (the original project's test board).
export function board(socket, data) {
  return data;
}
