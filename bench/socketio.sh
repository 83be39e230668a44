#!/usr/bin/env bash
# Socket.IO against /ws on one eventhost server, side by side: echo
# throughput at 100 connections x W in flight, alternating the protocols
# round by round, with the server's CPU time per message (from /proc).
# Usage: bench/socketio.sh [rounds] [seconds] [W]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}; secs=${2:-5}; w=${3:-16}
bin=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$bin"' EXIT
go build -o "$bin" ./cmd/eventhost ./cmd/eventload
"$bin/eventhost" -addr 127.0.0.1:18320 -watch=false -log-level warn >/dev/null 2>&1 & pid=$!
sleep 2
tick_us=$((1000000 / $(getconf CLK_TCK)))
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system time of a process
run() { # proto url
  "$bin/eventload" -proto "$1" -url "$2" -c 100 -w "$w" -d 1s >/dev/null
  local before after out
  before=$(cpu_ticks "$pid")
  out=$("$bin/eventload" -proto "$1" -url "$2" -c 100 -w "$w" -d "${secs}s" -json)
  after=$(cpu_ticks "$pid")
  echo "$out" | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r["lost"]==0 and not r["errors"], r; print(round(r["msgs_per_s"]), round(('"$after - $before"')*'"$tick_us"'/r["ok"], 1))'
}
ratios=()
for i in $(seq "$rounds"); do
  read -r ws ws_cpu < <(run ws ws://127.0.0.1:18320/ws)
  read -r sio sio_cpu < <(run socketio ws://127.0.0.1:18320/socket.io/)
  r=$(python3 -c "print(round($sio/$ws*100))"); ratios+=("$r")
  echo "100x$w round $i: /ws $ws msgs/s ($ws_cpu µs CPU/msg), socket.io $sio msgs/s ($sio_cpu µs CPU/msg), $r%"
done
echo "100x$w median socket.io / ws: $(printf '%s\n' "${ratios[@]}" | sort -n | sed -n "$(( (rounds+1)/2 ))p")%"
