// The eventhost try-events page: the route table (polled from /api/routes),
// one WebSocket to /ws, a form that sends requests, and a log of everything
// sent and received. Plain script, no dependencies, no build step.
"use strict";

(() => {
  const POLL_MS = 1000; // how often the route table is read
  const LOG_MAX = 500; // log entries kept
  const RETRY_MIN_MS = 1000;
  const RETRY_MAX_MS = 10000;

  const $ = (id) => document.getElementById(id);
  const el = {
    state: $("state"),
    token: $("token"),
    connect: $("connect"),
    routeCount: $("route-count"),
    build: $("build"),
    buildError: $("build-error"),
    buildErrorAt: $("build-error-at"),
    buildErrorMessage: $("build-error-message"),
    routes: document.querySelector("#routes tbody"),
    events: $("events"),
    form: $("send"),
    event: $("event"),
    data: $("data"),
    wantReply: $("want-reply"),
    sendError: $("send-error"),
    log: $("log"),
    clear: $("clear"),
  };

  // ---- the log ----

  const clock = (d) =>
    d.toTimeString().slice(0, 8) + "." + String(d.getMilliseconds()).padStart(3, "0");

  const pretty = (v) => {
    if (v === undefined) return "undefined";
    return JSON.stringify(v, null, 2);
  };

  // log adds an entry at the top: kind is sent, reply, push, error or state.
  function log(kind, what, body) {
    const now = new Date();
    const li = document.createElement("li");
    li.dataset.kind = kind;
    const t = document.createElement("time");
    t.dateTime = now.toISOString();
    t.textContent = clock(now);
    const k = document.createElement("span");
    k.className = "kind";
    k.textContent = kind;
    const w = document.createElement("span");
    w.className = "what";
    w.textContent = what;
    li.append(t, k, w);
    if (body !== undefined && body !== "") {
      const pre = document.createElement("pre");
      pre.textContent = body;
      li.append(pre);
    }
    el.log.prepend(li);
    while (el.log.childElementCount > LOG_MAX) el.log.lastElementChild.remove();
  }

  // ---- the connection ----

  let ws = null; // the current WebSocket, null when none
  let wanted = false; // the user wants a connection: reconnect when it drops
  let retryMs = RETRY_MIN_MS;
  let retryTimer = 0;
  let nextId = 1;
  const pending = new Map(); // id → {event, at}
  let auth = false; // the server requires a JWT (from /api/routes)
  let lastFailure = ""; // the last connection failure logged, to log each once

  function setState(state, text) {
    el.state.dataset.state = state;
    el.state.textContent = text;
    // While the page wants a connection (open, or retrying) the button stops it.
    el.connect.textContent = wanted ? "Disconnect" : "Connect";
  }

  function wsURL() {
    const u = new URL("/ws", location.href);
    u.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    const token = el.token.value.trim();
    if (token) u.searchParams.set("token", token);
    return u.href;
  }

  function connect() {
    clearTimeout(retryTimer);
    wanted = true;
    if (ws) return;
    const sock = new WebSocket(wsURL());
    sock.binaryType = "arraybuffer";
    ws = sock;
    let opened = false;
    setState("connecting", "connecting…");
    sock.onopen = () => {
      if (ws !== sock) return;
      opened = true;
      retryMs = RETRY_MIN_MS;
      lastFailure = "";
      setState("open", "connected");
      log("state", "connected to " + location.host);
    };
    sock.onmessage = (ev) => {
      if (ws === sock) receive(ev.data);
    };
    sock.onclose = (ev) => {
      if (ws !== sock) return;
      ws = null;
      dropPending();
      let text;
      if (opened) {
        text = "closed (" + ev.code + (ev.reason ? " " + ev.reason : "") + ")";
        setState("closed", text);
        log("state", "connection " + text);
      } else {
        text = "could not connect";
        const hint = auth
          ? el.token.value.trim() ? "the server refused the handshake: check the token" : "the server requires a token (JWT)"
          : "the server refused the handshake or is not reachable";
        setState("refused", text);
        if (lastFailure !== hint) log("error", text, hint);
        lastFailure = hint;
      }
      if (wanted) {
        retryTimer = setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }
    };
  }

  function disconnect() {
    wanted = false;
    clearTimeout(retryTimer);
    if (ws) {
      const sock = ws;
      ws = null;
      sock.close(1000);
      dropPending();
      log("state", "disconnected");
    }
    setState("closed", "not connected");
  }

  function dropPending() {
    if (pending.size === 0) return;
    log("error", pending.size + " request(s) got no reply", "the connection closed first");
    pending.clear();
  }

  // receive logs one frame from the server.
  function receive(data) {
    if (typeof data !== "string") {
      receiveBinary(new Uint8Array(data));
      return;
    }
    let msg;
    try {
      msg = JSON.parse(data);
    } catch (e) {
      log("error", "a frame that is not JSON", data);
      return;
    }
    if (msg === null || typeof msg !== "object") {
      log("error", "a frame that is not a JSON object", data);
      return;
    }
    if ("id" in msg && !("event" in msg)) {
      const key = JSON.stringify(msg.id);
      const p = pending.get(key);
      pending.delete(key);
      let what = (p ? p.event : "reply") + " #" + key;
      if (p) what += " · " + Math.round(performance.now() - p.at) + " ms";
      if (msg.error) {
        log("error", what + " · " + msg.error.code, msg.error.message);
      } else {
        let body = pretty(msg.data);
        if (msg.rest) body += "\nrest: " + pretty(msg.rest);
        log("reply", what, body);
      }
      return;
    }
    if (msg.event === "error" && msg.data && msg.data.code) {
      const of = msg.data.event ? " (" + msg.data.event + ")" : "";
      log("error", "error push · " + msg.data.code + of, msg.data.message);
      return;
    }
    let body = pretty(msg.data);
    if (msg.rest) body += "\nrest: " + pretty(msg.rest);
    log("push", String(msg.event), body);
  }

  // receiveBinary logs a binary frame: a 4-byte big-endian envelope length,
  // the JSON envelope, the payload.
  function receiveBinary(frame) {
    if (frame.length < 4) {
      log("error", "a binary frame shorter than 4 bytes");
      return;
    }
    const n = new DataView(frame.buffer, frame.byteOffset).getUint32(0);
    let env = {};
    try {
      env = JSON.parse(new TextDecoder().decode(frame.subarray(4, 4 + n)));
    } catch (e) {
      log("error", "a binary frame whose envelope is not JSON");
      return;
    }
    const payload = frame.subarray(4 + n);
    const hex = Array.from(payload.subarray(0, 64), (b) => b.toString(16).padStart(2, "0")).join(" ");
    const body = payload.length + " bytes: " + hex + (payload.length > 64 ? " …" : "");
    if ("id" in env && !("event" in env)) {
      const key = JSON.stringify(env.id);
      const p = pending.get(key);
      pending.delete(key);
      log("reply", (p ? p.event : "reply") + " #" + key + " · binary", body);
    } else {
      log("push", String(env.event) + " · binary", body);
    }
  }

  function send(ev) {
    ev.preventDefault();
    el.sendError.textContent = "";
    const event = el.event.value.trim();
    if (!event) {
      el.sendError.textContent = "name an event";
      return;
    }
    const text = el.data.value.trim();
    const req = { event };
    if (text) {
      try {
        req.data = JSON.parse(text);
      } catch (e) {
        el.sendError.textContent = "data is not JSON: " + e.message;
        return;
      }
    }
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      el.sendError.textContent = "not connected";
      return;
    }
    let what = event;
    if (el.wantReply.checked) {
      req.id = nextId++;
      pending.set(JSON.stringify(req.id), { event, at: performance.now() });
      what += " #" + req.id;
    }
    ws.send(JSON.stringify(req));
    log("sent", what, text ? pretty(req.data) : "");
  }

  // ---- the route table ----

  let shown = null; // the routes in the table, as event → file
  let failedPolls = 0;

  function routeKey(r) {
    return r.event + "\u0000" + r.file + "\u0000" + r.export;
  }

  function render(st) {
    auth = !!st.auth;
    el.token.classList.toggle("needed", auth && !el.token.value.trim());
    const parts = [];
    if (st.dir) parts.push(st.dir);
    parts.push("generation " + st.generation);
    if (st.built) parts.push("built " + clock(new Date(st.built)));
    parts.push(st.watching ? "watching for changes" : "not watching (-watch=false)");
    if (auth) parts.push("handshakes need a token");
    el.build.textContent = parts.join(" · ");

    if (st.last_error) {
      el.buildError.hidden = false;
      el.buildErrorAt.textContent = "at " + clock(new Date(st.last_error.at));
      el.buildErrorMessage.textContent = st.last_error.message;
    } else {
      el.buildError.hidden = true;
    }

    const routes = st.routes || [];
    const keys = new Set(routes.map(routeKey));
    if (shown && keys.size === shown.size && [...keys].every((k) => shown.has(k))) return;

    if (shown) {
      const added = routes.filter((r) => !shown.has(routeKey(r))).map((r) => r.event);
      const removed = [...shown].filter((k) => !keys.has(k)).map((k) => k.split("\u0000")[0]);
      const lines = [];
      if (added.length) lines.push("added: " + added.join(", "));
      if (removed.length) lines.push("removed: " + removed.join(", "));
      log("state", "routes changed (generation " + st.generation + ")", lines.join("\n"));
    }
    const before = shown;
    shown = keys;

    el.routeCount.textContent = "(" + routes.length + ")";
    const rows = routes.map((r) => {
      const tr = document.createElement("tr");
      tr.dataset.event = r.event;
      if (before && !before.has(routeKey(r))) tr.className = "added";
      const ev = document.createElement("td");
      const pick = document.createElement("button");
      pick.type = "button";
      pick.className = "pick";
      pick.textContent = r.event;
      pick.title = "put " + r.event + " in the form";
      pick.addEventListener("click", () => {
        el.event.value = r.event;
        el.data.focus();
      });
      ev.append(pick);
      const file = document.createElement("td");
      file.className = "file";
      file.textContent = r.file;
      const exp = document.createElement("td");
      exp.className = "export";
      exp.textContent = r.export;
      tr.append(ev, file, exp);
      return tr;
    });
    el.routes.replaceChildren(...rows);
    el.events.replaceChildren(
      ...routes.map((r) => {
        const o = document.createElement("option");
        o.value = r.event;
        return o;
      })
    );
    if (!el.event.value && routes.length) {
      const hello = routes.find((r) => r.event === "api.hello.greeting");
      el.event.value = (hello || routes[0]).event;
      if (hello && !el.data.value) el.data.value = '{"name": "Ada"}';
    }
  }

  async function poll() {
    try {
      const r = await fetch("/api/routes", { cache: "no-store" });
      if (!r.ok) throw new Error(r.status + " " + r.statusText);
      render(await r.json());
      failedPolls = 0;
    } catch (e) {
      failedPolls++;
      el.build.textContent = "cannot read the route table: " + e.message;
    } finally {
      setTimeout(poll, failedPolls ? Math.min(POLL_MS * 2 ** failedPolls, RETRY_MAX_MS) : POLL_MS);
    }
  }

  // ---- wiring ----

  try {
    el.token.value = sessionStorage.getItem("eventhost.token") || "";
  } catch (e) {
    // storage may be off; the field still works
  }
  el.token.addEventListener("change", () => {
    try {
      sessionStorage.setItem("eventhost.token", el.token.value.trim());
    } catch (e) {
      // as above
    }
    el.token.classList.toggle("needed", auth && !el.token.value.trim());
    if (ws) {
      const sock = ws;
      ws = null;
      sock.close(1000);
      dropPending();
    }
    connect();
  });
  el.connect.addEventListener("click", () => (wanted ? disconnect() : connect()));
  el.form.addEventListener("submit", send);
  el.clear.addEventListener("click", () => el.log.replaceChildren());

  poll();
  connect();
})();
