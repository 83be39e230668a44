// The reference Socket.IO server for the Go test harness (internal/siosuite,
// internal/sioclient): the npm package socket.io configured as the official
// v5 protocol test suite expects (docs/socket.io-protocol/v5-current.md,
// "Test suite"), plus the few events the socket.io-client tests use.
//
// Usage: node reference-server.mjs [port]   (or PORT=... node reference-server.mjs)
// It listens on 127.0.0.1 (port 0 picks a free one) and prints one line,
// {"port": N}, on stdout once it accepts connections. It stops on SIGTERM,
// SIGINT, or when its standard input closes (so it never outlives the test
// that started it).
//
// Behaviours, the same as testdata/socketio/scripts gives eventhost:
//   - every namespace connection gets the event "auth" with the CONNECT
//     payload (socket.handshake.auth);
//   - "message" on "/" and "/custom" is echoed back as "message-back" with
//     every argument;
//   - "message-with-ack" acknowledges with every argument;
//   - a CONNECT whose payload has refuse: true is refused with
//     {message: "refused", data: {code: "forbidden"}};
//   - "server-close" closes the underlying Engine.IO connection (the client
//     sees "transport close" and reconnects).
import { createServer } from "node:http";
import { Server } from "socket.io";

const port = Number(process.argv[2] ?? process.env.PORT ?? 0);

const httpServer = createServer();
const io = new Server(httpServer, {
  pingInterval: 300,
  pingTimeout: 200,
  maxPayload: 1000000,
  connectTimeout: 1000,
  cors: { origin: "*" },
});

function refuse(socket, next) {
  if (socket.handshake.auth && socket.handshake.auth.refuse === true) {
    const err = new Error("refused");
    err.data = { code: "forbidden" };
    next(err);
    return;
  }
  next();
}

function serve(nsp) {
  nsp.use(refuse);
  nsp.on("connection", (socket) => {
    socket.emit("auth", socket.handshake.auth);

    socket.on("message", (...args) => {
      socket.emit("message-back", ...args);
    });

    socket.on("message-with-ack", (...args) => {
      const ack = args.pop();
      if (typeof ack === "function") {
        ack(...args);
      }
    });

    socket.on("server-close", () => {
      socket.conn.close();
    });
  });
}

serve(io.of("/"));
serve(io.of("/custom"));

function stop() {
  io.close();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.on("error", stop);
process.stdin.resume();

httpServer.listen(port, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: httpServer.address().port }) + "\n");
});
