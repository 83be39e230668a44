// A chat room: chat.room.join, chat.room.say, chat.room.history and
// chat.room.leave. Messages are kept in the database (the table of
// scripts/_migrations/001_chat.sql), so history survives restarts, and each
// message is posted to a webhook when scripts/_lib/webhook.ts names one.
//
// > {"event":"chat.room.join","data":{"room":"lobby","name":"Ada"},"id":1}
// < {"id":1,"data":{"room":"lobby","members":2}}
// > {"event":"chat.room.say","data":{"room":"lobby","text":"hi"},"id":2}
// < {"event":"chat.message","data":{"room":"lobby","from":"Ada","text":"hi","at":"..."}}
// < {"id":2,"data":{"delivered":2}}
// > {"event":"chat.room.history","data":{"room":"lobby"},"id":3}
// < {"id":3,"data":{"room":"lobby","messages":[{"from":"Ada","text":"hi","at":"..."}]}}
//
// The other members get the pushes chat.joined {room, name}, chat.message
// {room, from, text, at} and chat.left {room, name} (also sent by the
// disconnect hook in scripts/_connection.ts when a member's connection ends).
import { db, io, type Socket } from "eventhost";
import { notify } from "../_lib/webhook.js";

/** What this example keeps in socket.data (set first by the connect hook). */
export interface ChatData {
  name?: string;
}

type ChatSocket = Socket<ChatData>;

const MAX_ROOM = 64;
const MAX_NAME = 32;
const MAX_TEXT = 2000;
const HISTORY = 50;
const MAX_HISTORY = 200;

/** An Error whose code reaches the client, e.g. "bad_request". */
function fail(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

/** The room of a request: a non-empty string of at most 64 characters. */
function roomOf(data: { room?: unknown } | undefined): string {
  const room = data?.room;
  if (typeof room !== "string" || room === "" || room.length > MAX_ROOM) {
    throw fail("bad_request", `room must be a non-empty string of at most ${MAX_ROOM} characters`);
  }
  return room;
}

/** The first of the values that is a non-empty string, if any. */
function firstString(...values: unknown[]): string | undefined {
  for (const v of values) {
    if (typeof v === "string" && v !== "") {
      return v;
    }
  }
  return undefined;
}

/**
 * chat.room.join {room, name?}: joins the room and tells its other members
 * (chat.joined). An authenticated connection is named by its token (claim
 * "name", else "sub"); otherwise by data.name, else by the name the connect
 * hook chose.
 */
export async function join(socket: ChatSocket, data: { room?: unknown; name?: unknown } | undefined) {
  const room = roomOf(data);
  if (data?.name !== undefined && (typeof data.name !== "string" || data.name === "" || data.name.length > MAX_NAME)) {
    throw fail("bad_request", `name must be a non-empty string of at most ${MAX_NAME} characters`);
  }
  const name =
    (socket.auth ? firstString(socket.auth.name, socket.auth.sub) : undefined) ??
    firstString(data?.name, socket.data.name) ??
    "guest";
  socket.data.name = name;

  if (!socket.rooms.includes(room)) {
    socket.join(room);
    socket.to(room).emit("chat.joined", { room, name });
  }
  return { room, members: (await io.in(room).count()).count };
}

/**
 * chat.room.say {room, text}: stores the message, then sends chat.message to
 * every member of the room, the sender included. Only members may speak
 * (else "forbidden").
 */
export async function say(socket: ChatSocket, data: { room?: unknown; text?: unknown } | undefined) {
  const room = roomOf(data);
  const text = data?.text;
  if (typeof text !== "string" || text === "" || text.length > MAX_TEXT) {
    throw fail("bad_request", `text must be a non-empty string of at most ${MAX_TEXT} characters`);
  }
  if (!socket.rooms.includes(room)) {
    throw fail("forbidden", `join room ${JSON.stringify(room)} before speaking in it`);
  }
  const from = socket.data.name ?? "guest";
  const at = new Date();
  await db.exec("INSERT INTO chat_messages (room, sender, body, at) VALUES (?, ?, ?, ?)", room, from, text, at);
  const message = { room, from, text, at: at.toISOString() };
  const delivered = io.to(room).emit("chat.message", message);
  await notify(message); // the webhook, when scripts/_lib/webhook.ts names one
  return { delivered };
}

/**
 * chat.room.history {room, limit?}: the room's last messages (50, at most
 * 200), oldest first. Only members may read it (else "forbidden").
 */
export async function history(socket: ChatSocket, data: { room?: unknown; limit?: unknown } | undefined) {
  const room = roomOf(data);
  const limit = data?.limit ?? HISTORY;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY) {
    throw fail("bad_request", `limit must be an integer from 1 to ${MAX_HISTORY}`);
  }
  if (!socket.rooms.includes(room)) {
    throw fail("forbidden", `join room ${JSON.stringify(room)} before reading its history`);
  }
  const rows = await db.query<{ sender: string; body: string; at: Date }>(
    "SELECT sender, body, at FROM chat_messages WHERE room = ? ORDER BY at DESC LIMIT ?",
    room,
    limit,
  );
  const messages = rows.reverse().map((r) => ({ from: r.sender, text: r.body, at: r.at.toISOString() }));
  return { room, messages };
}

/**
 * chat.room.leave {room}: leaves the room and tells its remaining members
 * (chat.left). Leaving a room one is not in does nothing.
 */
export function leave(socket: ChatSocket, data: { room?: unknown } | undefined) {
  const room = roomOf(data);
  const left = socket.rooms.includes(room);
  if (left) {
    socket.leave(room);
    io.to(room).emit("chat.left", { room, name: socket.data.name ?? "guest" });
  }
  return { room, left };
}
