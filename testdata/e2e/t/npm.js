import chunk from "lodash/chunk";

export function chunks(socket, data) {
  return chunk(data.items, data.size);
}
