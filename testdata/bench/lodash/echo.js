// A handler that bundles a real npm package: lodash, whole (esbuild inlines
// it; its top-level code runs whenever the module is evaluated).
import _ from "lodash";

export function echo(socket, data) {
  return _.cloneDeep(data);
}
