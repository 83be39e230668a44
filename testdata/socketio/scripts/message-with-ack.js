// The event "message-with-ack" on "/": acknowledged with every argument it
// came with.
import { ack } from "eventhost";

/** @param {import("eventhost").Socket} socket @param {unknown[]} args */
export default function (socket, ...args) {
  return ack(...args);
}
