// Helpers live in folders starting with "_": they are imported, never routes.

/**
 * badRequest returns an Error whose code reaches the client as "bad_request".
 *
 * @param {string} message
 * @returns {Error & { code: string }}
 */
export function badRequest(message) {
  return Object.assign(new Error(message), { code: "bad_request" });
}
