// The lodash chunk handler of the benchmarks: a real npm package imported
// whole, and a handler that does a little work with it. Send it
// {"items": [0, 1, ..., 99]}.
import _ from "lodash";

export function chunk(socket, data) {
  return _.chunk(data.items, 2);
}
