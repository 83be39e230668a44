// Types of the API that eventhost gives to the scripts under scripts/: the
// native module "eventhost" and the types of handlers, sockets and the
// connection hooks. The globals (console, timers, Buffer, require) are in
// globals.d.ts. See docs/scripts.md.
//
// The module "eventhost" is served by the runtime, not bundled: esbuild
// leaves `import { io, ack } from "eventhost"` as a require of the native
// module.
// The root tsconfig.json maps the name to this file.

/**
 * What the client sent when it connected (its WebSocket upgrade on `/ws`,
 * its Socket.IO handshake and namespace CONNECT on `/socket.io/`). A
 * handler sees it as `socket.handshake`; the connect hook of
 * `scripts/_connection.ts` gets it before the connection is accepted.
 */
export interface Handshake {
  /**
   * The HTTP headers of the WebSocket upgrade request: the first value of
   * each, under its canonical name (`"User-Agent"`), plus `"Host"`.
   * `Authorization`, `Proxy-Authorization` and `Cookie` are left out: they
   * carry secrets.
   */
  headers: Record<string, string>;
  /**
   * The query parameters of the request URL, the first value of each:
   * `/ws?name=Ada` gives `{ name: "Ada" }`. `token` (a JWT) is left out.
   */
  query: Record<string, string>;
  /** The client's network address, `host:port` (the TCP peer's). */
  address: string;
  /**
   * When the handshake arrived, as an RFC 3339 timestamp in UTC, e.g.
   * `"2026-11-26T14:13:26.041806909Z"`: `new Date(handshake.time)` parses it.
   */
  time: string;
  /**
   * On `/ws`, the claims of the client's verified JWT, as `claims`. On
   * Socket.IO, the CONNECT payload: the object the client gave as
   * `io(url, { auth })` (`null` when it gave none).
   */
  auth: Record<string, unknown> | null;
  /**
   * The namespace the connection is in: `"/"` on `/ws` and for Socket.IO's
   * main namespace, `"/chat"` for a Socket.IO client of `io(url + "/chat")`.
   */
  namespace: string;
  /**
   * The claims of the client's verified JWT (`sub`, `exp`, and whatever the
   * issuer put in), or `null` when the server does not require one (no
   * `-jwt-secret` or `-jwt-public-key`). When it does, a connection without
   * a valid token is refused before any script runs.
   */
  claims: Record<string, unknown> | null;
}

/**
 * The binary values eventhost sends as bytes: on their own (a binary frame
 * on `/ws`) or nested anywhere in an argument (a Socket.IO attachment; a
 * base64 string on `/ws`).
 */
export type Binary = ArrayBuffer | ArrayBufferView;

/**
 * How many connections a target reaches across the cluster: what
 * {@link EmitTarget.count} resolves with.
 */
export interface RoomCount {
  /** The connections on the nodes that answered, this one included. */
  count: number;
  /** How many nodes were counted, this one included (1 on a single node). */
  nodes: number;
  /**
   * `true` when a node did not answer in time (or the cluster could not be
   * asked): `count` leaves its connections out. Always `false` on a single
   * node.
   */
  partial: boolean;
}

/**
 * A room name, or several: `to(["a", "b"])` is `to("a").to("b")`.
 */
export type RoomOrRooms = string | readonly string[];

/**
 * Where an emit goes besides the socket itself: `socket.to(room)`,
 * `socket.broadcast`, `io.to(room)`, `io.except(id)` and their chains, as
 * in Socket.IO: `io.to("a").to("b").except(socket.id).emit(...)`. A target
 * is never changed: `to`, `in` and `except` return a new one, so one can be
 * kept (`const lobby = io.to("lobby")`).
 */
export interface EmitTarget {
  /**
   * Pushes the event with its arguments to every connection of the target.
   * A Socket.IO client gets every argument; a `/ws` client gets
   * `{"event": event, "data": args[0], "rest": [args[1], ...]}` (no `rest`
   * with one argument; a binary frame when the only argument is bytes).
   * Arguments go through `JSON.stringify`, except binary values (see
   * {@link Binary}), which are sent as bytes wherever they are.
   *
   * With `-nats-url`, it reaches the target's connections on every node.
   *
   * @param event a non-empty event name, e.g. `"chat.message"`
   * @param args JSON-serializable values, or bytes, or values holding bytes
   * @returns how many connections on this node the push was queued for;
   *   other nodes deliver it asynchronously, and are not counted
   * @throws TypeError when `event` is not a non-empty string or an argument
   *   cannot be serialized
   */
  emit(event: string, ...args: unknown[]): number;
  /**
   * The target with the members of more rooms: a connection in several of
   * the rooms gets one copy. A connection's `socket.id` names a room that
   * holds it alone: `io.to(socket.id)` reaches that one connection, on
   * whichever node holds it.
   *
   * @param room a non-empty room name, or a non-empty array of them
   * @throws TypeError otherwise
   */
  to(room: RoomOrRooms): EmitTarget;
  /** The same as {@link EmitTarget.to}. */
  in(room: RoomOrRooms): EmitTarget;
  /**
   * The target without the connections of these socket ids. Unlike
   * Socket.IO, `except` takes socket ids only: a room name other than a
   * socket id leaves nobody out.
   *
   * @param id a non-empty socket id, or a non-empty array of them
   * @throws TypeError otherwise
   */
  except(id: RoomOrRooms): EmitTarget;
  /**
   * Counts the connections an emit to the target would reach, on every
   * node of the cluster (the sender is left out of a socket's targets, as
   * from its emits): `(await io.in("lobby").count()).count`.
   *
   * It waits a bounded time for the other nodes: a node that does not
   * answer makes the result partial. The handler's call bounds it too (its
   * timeout, its connection going). The worker is not held while it waits.
   */
  count(): Promise<RoomCount>;
}

/**
 * The connection a call came from. Handlers get it as their first argument;
 * the disconnect hook gets the socket that has ended.
 *
 * Call the methods on the socket (`socket.emit(...)`): a detached
 * `const { emit } = socket` throws a TypeError.
 *
 * @typeParam Data the shape of `socket.data`
 */
export interface Socket<Data = Record<string, any>> {
  /** A unique string per connection, e.g. `"Q3ZC7RWMOV2FEJNI"`. */
  readonly id: string;
  /**
   * The connection's namespace, `"/"` on `/ws` (`handshake.namespace`).
   * Rooms, `socket.to` and `socket.broadcast` stay inside it.
   */
  readonly namespace: string;
  /**
   * Per-connection state that persists across the connection's calls: an
   * object (`{}` until something is stored), or what the connect hook
   * returned. Mutate it or assign a new object.
   *
   * It is stored as JSON, so only JSON-serializable values survive: it is
   * read when a call first touches it and written back when the call's
   * synchronous part ends and when the call settles. A value that cannot be
   * serialized keeps the previous data (and is logged).
   */
  data: Data;
  /** What the client sent when it connected. */
  readonly handshake: Handshake;
  /** The same as `socket.handshake.auth`. */
  readonly auth: Record<string, unknown> | null;
  /**
   * The rooms this connection is in (a copy: use join and leave). In the
   * disconnect hook, still the rooms it was in when it ended.
   */
  readonly rooms: string[];
  /**
   * Pushes the event with its arguments to this connection: see
   * {@link EmitTarget.emit} for what each protocol's client gets. It may be
   * called after the reply, e.g. from a timer.
   *
   * @param event a non-empty event name, e.g. `"clock.tick"`
   * @param args JSON-serializable values, or bytes, or values holding bytes
   * @returns `false` if the connection is closed or closing
   * @throws TypeError when `event` is not a non-empty string or an argument
   *   cannot be serialized
   */
  emit(event: string, ...args: unknown[]): boolean;
  /**
   * Closes the connection.
   *
   * @param code 1000 (the default) or 3000–4999; anything else throws
   * @param reason at most 123 bytes (longer is cut)
   */
  close(code?: number, reason?: string): void;
  /**
   * Adds this connection to a room; joining one it is in does nothing. A
   * room exists while it has members; a connection leaves all its rooms when
   * it ends.
   *
   * @param room a non-empty room name of at most 256 bytes
   * @throws TypeError when `room` is not a non-empty string; an Error when
   *   it is too long or the connection has ended
   */
  join(room: string): void;
  /**
   * Removes this connection from a room; nothing happens if it is not a
   * member.
   *
   * @param room a non-empty room name
   */
  leave(room: string): void;
  /**
   * The members of a room (of this connection's namespace) except this
   * connection, whether or not it is a member itself:
   * `socket.to("lobby").emit("chat.joined", {...})`. Chain more rooms with
   * `.to(...)`: a connection in several gets one copy.
   *
   * @param room a non-empty room name, or a non-empty array of them
   */
  to(room: RoomOrRooms): EmitTarget;
  /** The same as {@link Socket.to}. */
  in(room: RoomOrRooms): EmitTarget;
  /**
   * Every connection of this connection's namespace except this one and
   * those of these socket ids (ids only, not rooms):
   * `socket.except(otherId).emit(...)`.
   *
   * @param id a non-empty socket id, or a non-empty array of them
   */
  except(id: RoomOrRooms): EmitTarget;
  /**
   * Every connection of this connection's namespace except this one:
   * `socket.broadcast.emit("user.online", {...})`;
   * `socket.broadcast.to(room)` is `socket.to(room)`.
   */
  readonly broadcast: EmitTarget;
}

/**
 * The room view of `io.in(room)`: the same as {@link EmitTarget}.
 *
 * @deprecated use EmitTarget
 */
export type RoomPresence = EmitTarget;

/**
 * The connections of one namespace: `io` itself for `"/"` (which `/ws`
 * connections are in), `io.of("/chat")` for another. A connection that is
 * not open gets nothing.
 */
export interface Namespace {
  /**
   * Pushes the event with its arguments to every connection of the
   * namespace, the caller's included: see {@link EmitTarget.emit}.
   *
   * @param event a non-empty event name
   * @param args JSON-serializable values, or bytes, or values holding bytes
   * @returns how many connections the push was queued for
   */
  emit(event: string, ...args: unknown[]): number;
  /**
   * Every member of a room, the caller's connection included if it is one:
   * `io.to("lobby").emit("chat.message", {...})`; chain more rooms with
   * `.to(...)`.
   *
   * @param room a non-empty room name, or a non-empty array of them
   */
  to(room: RoomOrRooms): EmitTarget;
  /**
   * The same as `to`: `await io.in("lobby").count()`.
   *
   * @param room a non-empty room name, or a non-empty array of them
   */
  in(room: RoomOrRooms): EmitTarget;
  /**
   * Every connection of the namespace but those of these socket ids (ids
   * only, not rooms).
   *
   * @param id a non-empty socket id, or a non-empty array of them
   */
  except(id: RoomOrRooms): EmitTarget;
}

/**
 * The server's connections as a whole: emits that reach other connections
 * than the caller's, and room presence, in namespace `"/"`; `io.of(ns)` for
 * another namespace.
 */
export interface IO extends Namespace {
  /**
   * The connections of another namespace: `io.of("/chat").emit(...)`.
   *
   * @param namespace a namespace name starting with `"/"`
   * @throws TypeError when `namespace` is not a string starting with `"/"`
   */
  of(namespace: string): Namespace;
}

/**
 * The server's connections: `import { io } from "eventhost"`.
 *
 * @example
 * io.to("lobby").emit("chat.message", { text: "hi" }); // every member
 * await io.in("lobby").count();                       // {count, nodes, partial}
 * io.of("/chat").emit("chat.notice", "restarting");   // namespace /chat
 */
export declare const io: IO;

declare const ackBrand: unique symbol;

/** A reply with several arguments, made by {@link ack}. */
export interface Ack {
  readonly [ackBrand]: true;
}

/**
 * A reply with several arguments: `return ack(a, b, c)` (or resolve the
 * handler's Promise with it). A Socket.IO client's ack callback gets
 * `(a, b, c)`; a `/ws` client gets `{"id": id, "data": a, "rest": [b, c]}`.
 * `ack()` replies with no argument (`null` on `/ws`), `ack(a)` as
 * returning `a` does.
 *
 * @param args JSON-serializable values, or bytes, or values holding bytes
 */
export declare function ack(...args: unknown[]): Ack;

/**
 * A handler: a function exported by a route module under `scripts/`
 * (`export function greeting(socket, data)` in `scripts/api/hello.ts`
 * serves the event `api.hello.greeting`).
 *
 * - `data` is the request's first argument, decoded JSON, `undefined` when
 *   the request has none, or a Buffer holding the payload of a binary frame.
 *   `rest` are its further arguments (a Socket.IO client's
 *   `emit(event, a, b, c)`, or `"rest"` on `/ws`). Binary values nested
 *   anywhere in them (Socket.IO attachments) arrive as Buffers.
 * - The return value (or what the returned Promise resolves to) is the
 *   reply: bytes (a Buffer, any typed array, a DataView or an ArrayBuffer)
 *   are sent as a binary frame, anything else goes through `JSON.stringify`
 *   (`undefined` becomes `null`), bytes nested in it sent as bytes.
 *   Return {@link ack}`(a, b, ...)` to reply with several arguments.
 * - Throwing (or rejecting) answers with `handler_error` and the error's
 *   message, or with the error's `code` when it is a string matching
 *   `[a-z][a-z0-9_]*`:
 *   `throw Object.assign(new Error("name is required"), { code: "bad_request" })`.
 *
 * @typeParam D the request's data
 * @typeParam R the reply
 *
 * @example
 * export const hello: Handler<{ name?: string }, string> = (socket, data) => `Hello, ${data?.name}`;
 */
export type Handler<D = any, R = unknown> = (socket: Socket, data: D, ...rest: any[]) => R | Ack | Promise<R | Ack>;

/**
 * The `connect` export of the optional, private module
 * `scripts/_connection.ts` (or `.js`): it runs before a connection is
 * accepted.
 *
 * - Return an object: it becomes the connection's initial `socket.data`.
 * - Return nothing: the connection is accepted with `socket.data` `{}`.
 * - Return `false`, or throw: the connection is refused with HTTP 401 (the
 *   thrown error's message is the response body); with 403 when the thrown
 *   error's `code` is `"forbidden"`.
 *
 * There is no socket yet. When the server requires JWTs, the token has
 * been verified already: its claims are `handshake.auth`.
 *
 * @example
 * export function connect(handshake: Handshake) {
 *   if (handshake.query.room === "staff" && handshake.auth?.role !== "staff") {
 *     throw Object.assign(new Error("staff only"), { code: "forbidden" });
 *   }
 *   return { name: handshake.query.name || "guest" };
 * }
 */
export type ConnectHook = (
  handshake: Handshake,
) => Record<string, any> | false | void | Promise<Record<string, any> | false | void>;

/**
 * The `connected` export of the optional, private module
 * `scripts/_connection.ts` (or `.js`): it runs once a connection is open
 * (on `/ws` and on each Socket.IO namespace), before its first request is
 * served, so that what it emits (a welcome message) arrives first. It may
 * emit, join rooms and set `socket.data`. What it throws is logged; the
 * connection stays open. What it returns is ignored.
 *
 * @example
 * export function connected(socket: Socket) {
 *   socket.emit("welcome", { id: socket.id });
 * }
 */
export type ConnectedHook = (socket: Socket) => void | Promise<void>;

/**
 * Why a connection ended, as the disconnect hook is told:
 *
 * - `"client closed"`: the client sent a close frame;
 * - `"server shutdown"`: the server is stopping;
 * - `"ping timeout"`: no pong within 60 s;
 * - `"slow consumer"`: the client read too slowly: its outbound buffer
 *   filled up (closed with 4008) or a frame could not be written in time;
 * - `"closed by script"`: a handler called `socket.close()`;
 * - `"frame too large"`: the client sent a frame over the size limit
 *   (closed with 1009);
 * - `"connection lost"`: anything else: a network error, a connection cut
 *   without a close frame.
 */
export type DisconnectReason =
  | "client closed"
  | "server shutdown"
  | "ping timeout"
  | "slow consumer"
  | "closed by script"
  | "frame too large"
  | "connection lost";

/**
 * The `disconnect` export of the optional, private module
 * `scripts/_connection.ts` (or `.js`): it runs once after a connection
 * that was accepted has ended, with its socket and the reason.
 * `socket.rooms` still lists the rooms it was in, so the hook can tell them;
 * emits to the socket itself go nowhere. Failures are only logged.
 */
export type DisconnectHook = (socket: Socket, reason: DisconnectReason) => void;

/**
 * A parameter of {@link Statements.query} and {@link Statements.exec}, bound
 * to its `?` placeholder (never spliced into the SQL text):
 *
 * - `null` and `undefined` are NULL; booleans are booleans (SQLite: 1 and 0);
 * - a number that is an integer within ±2^53 is an integer, any other
 *   number a double; a `bigint` is an exact 64-bit integer (beyond that range
 *   the statement is rejected);
 * - a string is text;
 * - a `Uint8Array`, `Buffer`, `ArrayBuffer`, any other typed array or
 *   `DataView` is a BLOB (PostgreSQL: bytea) of the bytes in view, copied
 *   when the statement starts;
 * - a `Date` is a timestamp in UTC (an invalid Date is rejected).
 *
 * Objects and arrays are rejected: pass `JSON.stringify(value)` for a JSON
 * column.
 */
export type SQLValue = null | undefined | boolean | number | bigint | string | ArrayBuffer | ArrayBufferView | Date;

/**
 * A column's value in a row: NULL is `null`; integers are numbers, or
 * `bigint` beyond ±(2^53-1), exactly; doubles are numbers; text is a string
 * (PostgreSQL numeric, uuid, json and arrays too, in their text form); a
 * BLOB (bytea) is a `Uint8Array`; a column declared BOOLEAN is a boolean; a
 * timestamp (SQLite: a column declared DATE, DATETIME or TIMESTAMP) is a
 * `Date`, to the millisecond.
 */
export type SQLResult = null | boolean | number | bigint | string | Uint8Array | Date;

/**
 * One row of a query: its columns as properties, in the query's order
 * (except names that are array indexes, such as `"1"`, which JavaScript puts
 * first). Of two columns with the same name, the later one wins: alias
 * them (`SELECT a.id AS a_id, b.id AS b_id`).
 */
export type Row = Record<string, SQLResult>;

/** What {@link Statements.exec} reports. */
export interface ExecResult {
  /** The rows the statement inserted, changed or deleted. */
  rowsAffected: number;
  /**
   * SQLite: the rowid of the last row inserted (by this connection); always
   * 0 on PostgreSQL: use `INSERT ... RETURNING id` with `query` there.
   */
  lastInsertId: number | bigint;
}

/** The statements of {@link db} and of a transaction (`tx`). */
export interface Statements {
  /**
   * Runs a statement that returns rows and resolves with all of them, at
   * most `-db-max-rows` (more rejects). Write `?` for each parameter, on
   * every backend.
   *
   * @example
   * const rows = await db.query("SELECT id, body FROM notes WHERE room = ? ORDER BY id DESC LIMIT ?", room, 50);
   * @typeParam R the shape of a row
   * @param sql one statement, with `?` placeholders
   * @param params one value per placeholder, in order
   */
  query<R = Row>(sql: string, ...params: SQLValue[]): Promise<R[]>;
  /**
   * Runs a statement without rows (INSERT, UPDATE, DELETE, DDL).
   *
   * @param sql one statement, with `?` placeholders
   * @param params one value per placeholder, in order
   */
  exec(sql: string, ...params: SQLValue[]): Promise<ExecResult>;
}

/**
 * The scripts' SQL database (`-db`: an SQLite file by default, or
 * PostgreSQL): `import { db } from "eventhost"`.
 *
 * Statements run off the JavaScript VM, which serves other calls while
 * they run. A statement still running when its call ends (answered, timed
 * out, its connection gone) is cancelled, and its promise never settles.
 */
export interface Database extends Statements {
  /**
   * Runs `fn` in a transaction: it commits when the promise `fn` returns
   * resolves (and `tx` resolves with its value), and rolls back when `fn`
   * throws or rejects (`tx` rejects with the same value) or when the call
   * ends first. Inside, use `tx.query` and `tx.exec` and await them; `db`'s
   * own writes would wait for the transaction to end (on SQLite, writes
   * take turns), and `tx` fails once `fn` has settled.
   *
   * @example
   * await db.tx(async (tx) => {
   *   await tx.exec("UPDATE accounts SET balance = balance - ? WHERE id = ?", amount, from);
   *   await tx.exec("UPDATE accounts SET balance = balance + ? WHERE id = ?", amount, to);
   * });
   */
  tx<T>(fn: (tx: Statements) => T | Promise<T>): Promise<T>;
}

/** The scripts' SQL database: see {@link Database} and docs/scripts.md. */
export declare const db: Database;
