#!/usr/bin/env bash
# Compares eventhost (preload, api.test.board) with goecho (the same server
# path, Go echo) at 100 connections, alternating the two servers round by
# round so that both see the same machine, and prints each round and the
# median ratio. Usage: bench/ratio.sh [rounds] [seconds per run]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}; secs=${2:-5}
bin=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$bin"' EXIT
go build -o "$bin" ./cmd/eventhost ./cmd/eventload ./cmd/goecho
"$bin/eventhost" -addr 127.0.0.1:18310 -watch=false -log-level warn >/dev/null 2>&1 &
"$bin/goecho" -addr 127.0.0.1:18311 >/dev/null 2>&1 &
sleep 2
rate() { "$bin/eventload" -url "ws://127.0.0.1:$1/ws" -c 100 -w "$2" -d "${secs}s" -warmup 1s -json |
  python3 -c 'import json,sys; r=json.load(sys.stdin); assert r["lost"]==0 and not r["errors"]; print(round(r["msgs_per_s"]))'; }
for w in 1 16; do
  ratios=()
  for i in $(seq "$rounds"); do
    js=$(rate 18310 "$w"); go=$(rate 18311 "$w")
    r=$(python3 -c "print(round($js/$go*100))"); ratios+=("$r")
    echo "W=$w round $i: preload $js msgs/s, go $go msgs/s, $r%"
  done
  echo "W=$w median ratio: $(printf '%s\n' "${ratios[@]}" | sort -n | sed -n "$(( (rounds+1)/2 ))p")%"
done
