// A default export serves the module's own name: api.ping.
export default function ping() {
  return "pong";
}
