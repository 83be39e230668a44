import { badRequest } from "../_lib/errors.js";

/**
 * api.hello.greeting: {"name": "Ada"} -> "You're welcome Ada"
 *
 * @param {import("eventhost").Socket} socket
 * @param {{ name?: unknown } | undefined} data
 */
export function greeting(socket, data) {
  if (typeof data?.name !== "string" || data.name === "") {
    throw badRequest("name is required");
  }
  return `You're welcome ${data.name}`;
}
