// A driver for the npm socket.io-client, for Go tests (internal/sioclient).
//
// It reads one JSON command per line on stdin and writes one JSON line per
// thing that happened on stdout. Every socket has a name ("main" unless
// told), given as "socket" in commands and in what is written.
//
// Commands:
//   {"cmd":"connect","socket":"a","url":"http://127.0.0.1:3000","namespace":"/custom","opts":{...}}
//       io(url + namespace, opts): socket.io-client's defaults unless opts
//       says otherwise (transports, auth, reconnectionDelay, forceNew, ...).
//   {"cmd":"emit","id":7,"socket":"a","event":"x","args":[...],"ack":true,"timeout":1000}
//       socket.emit(event, ...args[, ackCallback]); with "timeout" (ms) the
//       ack goes through socket.timeout(ms).
//   {"cmd":"disconnect","socket":"a"}   socket.disconnect()
//   {"cmd":"open","socket":"a"}         socket.connect() (again)
//   {"cmd":"state","id":8,"socket":"a"} reports connected, id and transport
// End of input disconnects every socket and exits.
//
// Written (each line has "type" and "socket"):
//   connect {sid, transport}            connect_error {message, data}
//   disconnect {reason, description}    event {event, args}
//   ack {id, args}                      ack_error {id, message}
//   open {transport} (a new Engine.IO connection)
//   upgrade {transport}                 reconnect_attempt {attempt}
//   reconnect {attempt}                 reconnect_error {message}
//   reconnect_failed                    state {id, connected, sid, transport}
//   command_error {id, message}         (a command that could not be run)
//   ready (once, first: the program has loaded and reads commands; its
//   socket is "")
// Binary values anywhere in args (Buffer, ArrayBuffer, typed arrays) cross
// as {"$bytes": "<base64>"}, both ways.
import { createInterface } from "node:readline";
import { io } from "socket.io-client";

const sockets = new Map();

function out(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

function encode(v) {
  if (v instanceof ArrayBuffer) {
    return { $bytes: Buffer.from(v).toString("base64") };
  }
  if (ArrayBuffer.isView(v)) {
    return { $bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") };
  }
  if (Array.isArray(v)) {
    return v.map(encode);
  }
  if (v instanceof Error) {
    return { message: v.message };
  }
  if (v !== null && typeof v === "object") {
    const o = {};
    for (const [k, x] of Object.entries(v)) {
      o[k] = encode(x);
    }
    return o;
  }
  return v;
}

function decode(v) {
  if (Array.isArray(v)) {
    return v.map(decode);
  }
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === "$bytes" && typeof v.$bytes === "string") {
      return Buffer.from(v.$bytes, "base64");
    }
    const o = {};
    for (const [k, x] of Object.entries(v)) {
      o[k] = decode(x);
    }
    return o;
  }
  return v;
}

function transportOf(s) {
  return s.io.engine && s.io.engine.transport ? s.io.engine.transport.name : null;
}

function connect(name, cmd) {
  if (sockets.has(name)) {
    throw new Error(`socket ${name} exists`);
  }
  const url = String(cmd.url ?? "").replace(/\/$/, "") + (cmd.namespace ?? "/");
  const s = io(url, decode(cmd.opts ?? {}));
  sockets.set(name, s);
  const emit = (type, fields) => out({ type, socket: name, ...fields });

  s.on("connect", () => emit("connect", { sid: s.id, transport: transportOf(s) }));
  s.on("connect_error", (err) =>
    emit("connect_error", { message: err.message, data: encode(err.data) ?? null }),
  );
  s.on("disconnect", (reason, details) =>
    emit("disconnect", {
      reason,
      description: details && details.description ? String(details.description.message ?? details.description) : null,
    }),
  );
  s.onAny((event, ...args) => emit("event", { event, args: encode(args) }));

  const watchEngine = () => {
    const engine = s.io.engine;
    emit("open", { transport: transportOf(s) });
    engine.on("upgrade", (transport) => emit("upgrade", { transport: transport.name }));
  };
  s.io.on("open", watchEngine);
  s.io.on("reconnect_attempt", (attempt) => emit("reconnect_attempt", { attempt }));
  s.io.on("reconnect", (attempt) => emit("reconnect", { attempt }));
  s.io.on("reconnect_error", (err) => emit("reconnect_error", { message: err.message }));
  s.io.on("reconnect_failed", () => emit("reconnect_failed", {}));
}

function socketOf(name) {
  const s = sockets.get(name);
  if (!s) {
    throw new Error(`no socket ${name}`);
  }
  return s;
}

function run(cmd) {
  const name = cmd.socket ?? "main";
  switch (cmd.cmd) {
    case "connect":
      connect(name, cmd);
      return;
    case "emit": {
      const s = socketOf(name);
      const args = decode(cmd.args ?? []);
      if (!cmd.ack) {
        s.emit(cmd.event, ...args);
        return;
      }
      if (cmd.timeout) {
        s.timeout(cmd.timeout).emit(cmd.event, ...args, (err, ...res) => {
          if (err) {
            out({ type: "ack_error", socket: name, id: cmd.id, message: err.message });
          } else {
            out({ type: "ack", socket: name, id: cmd.id, args: encode(res) });
          }
        });
        return;
      }
      s.emit(cmd.event, ...args, (...res) => out({ type: "ack", socket: name, id: cmd.id, args: encode(res) }));
      return;
    }
    case "disconnect":
      socketOf(name).disconnect();
      return;
    case "open":
      socketOf(name).connect();
      return;
    case "state": {
      const s = socketOf(name);
      out({ type: "state", socket: name, id: cmd.id, connected: s.connected, sid: s.id ?? null, transport: transportOf(s) });
      return;
    }
    default:
      throw new Error(`unknown command ${JSON.stringify(cmd.cmd)}`);
  }
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line.trim() === "") {
    return;
  }
  let cmd = {};
  try {
    cmd = JSON.parse(line);
    run(cmd);
  } catch (err) {
    out({ type: "command_error", socket: cmd.socket ?? "main", id: cmd.id ?? 0, message: String(err && err.message ? err.message : err) });
  }
});
out({ type: "ready", socket: "" });
lines.on("close", () => {
  for (const s of sockets.values()) {
    s.disconnect();
  }
  // Let the disconnect packets go out, then stop whatever is left.
  setTimeout(() => process.exit(0), 50).unref();
});
