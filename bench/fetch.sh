#!/usr/bin/env bash
# A handler that awaits a 5 ms fetch, under load: eventhost with -pool 2 and
# 1000 connections x 1 in flight. If the VMs were held while fetches wait,
# throughput would stay near 2 VMs / 5 ms = 400 calls/s; it should instead
# follow the connections (up to 1000 / 5 ms = 200,000/s, less what the CPU
# allows). Usage: bench/fetch.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}; conns=${2:-1000}
bin=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$bin"' EXIT
go build -o "$bin" ./cmd/eventhost ./cmd/eventload ./bench/slowhttp
"$bin/slowhttp" -addr 127.0.0.1:18340 -delay 5ms & 
"$bin/eventhost" -addr 127.0.0.1:18341 -scripts testdata/bench/fetch -pool 2 -watch=false -log-level warn \
  -fetch-max-inflight 2000 >/dev/null 2>&1 &
sleep 2
"$bin/eventload" -url ws://127.0.0.1:18341/ws -c "$conns" -w 1 -d "${secs}s" \
  -event slow.get -data '{"url":"http://127.0.0.1:18340/"}'
