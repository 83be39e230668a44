// A route module that imports an npm package. esbuild finds lodash in the
// repository's node_modules by walking up from this folder; runtime/bundle's
// tests check that it is bundled and runs in goja.
import { chunk } from "lodash";

export function pairs(list) {
  return chunk(list, 2);
}
