#!/usr/bin/env bash
# Compares eventhost (preload, api.test.board) with goecho (the same server
# path, Go echo) at 100 connections, alternating the two servers round by
# round so that both see the same machine. Prints each round's throughput
# and each server's own CPU time per message (Linux: from /proc), then the
# median ratio. Usage: bench/ratio.sh [rounds] [seconds per run]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}; secs=${2:-5}
bin=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$bin"' EXIT
go build -o "$bin" ./cmd/eventhost ./cmd/eventload ./cmd/goecho
"$bin/eventhost" -addr 127.0.0.1:18310 -watch=false -log-level warn >/dev/null 2>&1 & js_pid=$!
"$bin/goecho" -addr 127.0.0.1:18311 -log-level warn >/dev/null 2>&1 & go_pid=$!
sleep 2
tick_us=$((1000000 / $(getconf CLK_TCK)))
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system time of a process
# run PORT PID W: one second of warm-up, then the measured run; prints
# "msgs/s µs-of-server-CPU-per-message".
run() {
  "$bin/eventload" -url "ws://127.0.0.1:$1/ws" -c 100 -w "$3" -d 1s >/dev/null
  local before after
  before=$(cpu_ticks "$2")
  out=$("$bin/eventload" -url "ws://127.0.0.1:$1/ws" -c 100 -w "$3" -d "${secs}s" -json)
  after=$(cpu_ticks "$2")
  echo "$out" | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r["lost"]==0 and not r["errors"]; print(round(r["msgs_per_s"]), round(('"$after - $before"')*'"$tick_us"'/r["ok"], 1))'
}
for w in 1 16; do
  ratios=()
  for i in $(seq "$rounds"); do
    read -r js js_cpu < <(run 18310 "$js_pid" "$w")
    read -r go go_cpu < <(run 18311 "$go_pid" "$w")
    r=$(python3 -c "print(round($js/$go*100))"); ratios+=("$r")
    echo "W=$w round $i: preload $js msgs/s ($js_cpu µs CPU/msg), go $go msgs/s ($go_cpu µs CPU/msg), $r%"
  done
  echo "W=$w median ratio: $(printf '%s\n' "${ratios[@]}" | sort -n | sed -n "$(( (rounds+1)/2 ))p")%"
done
