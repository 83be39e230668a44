// A handler that bundles a real npm package: lodash, whole (esbuild inlines
// it; its top-level code runs whenever the module is evaluated). The handler
// itself is an echo, like the other modules of BenchmarkCall.
import _ from "lodash";

export function echo(socket, data) {
  return _.identity(data);
}
