#!/usr/bin/env bash
# Runs eventload against eventhost (preload and reeval, shipped api.test.board
# echo) and goecho (the same server path with a Go echo handler) at
# C = 1, 10, 100 connections and W = 1, 16 requests in flight each, and
# prints a markdown table. Usage: bench/load-matrix.sh [seconds per run]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
bin=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$bin"' EXIT
go build -o "$bin" ./cmd/eventhost ./cmd/eventload ./cmd/goecho

start() { # name, port, command...
  local port=$2; shift 2
  "$@" >"$bin/server.log" 2>&1 &
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.1; done
  echo "server on $port did not start" >&2; cat "$bin/server.log" >&2; exit 1
}

echo "| server | C | W | msgs/s | p50 µs | p90 µs | p99 µs | max µs | errors | lost |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for server in go preload reeval; do
  port=18300
  case $server in
    go) start go $port "$bin/goecho" -addr 127.0.0.1:$port -max-inflight 64 ;;
    *) start js $port "$bin/eventhost" -addr 127.0.0.1:$port -mode "$server" -watch=false -log-level warn ;;
  esac
  for c in 1 10 100; do
    for w in 1 16; do
      out=$("$bin/eventload" -url "ws://127.0.0.1:$port/ws" -c "$c" -w "$w" -d "${secs}s" -warmup 1s -json || true)
      python3 -c '
import json, sys
r = json.loads(sys.argv[1]); l = r["latency_us"]
print("| %s | %d | %d | %.0f | %d | %d | %d | %d | %d | %d |" % (sys.argv[2], r["connections"], r["in_flight"], r["msgs_per_s"],
      l["p50"], l["p90"], l["p99"], l["max"], sum(r["errors"].values()), r["lost"]))' "$out" "$server"
    done
  done
  kill %1; wait %1 2>/dev/null || true
done
