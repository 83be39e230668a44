#!/usr/bin/env bash
# The per-call path before and after a change, side by side: builds
# eventhost at REV
# and from the work tree, serves the shipped scripts from both, and
# alternates eventload runs against them at 100 connections x W in flight,
# printing throughput and each server's CPU time per message (from /proc).
# Usage: bench/compare.sh REV [rounds] [seconds] [W]
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: bench/compare.sh REV [rounds] [seconds] [W]}; rounds=${2:-5}; secs=${3:-5}; w=${4:-16}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; git worktree remove --force "$tmp/old" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add -q --detach "$tmp/old" "$rev"
(cd "$tmp/old" && go build -o "$tmp/eventhost-old" ./cmd/eventhost)
go build -o "$tmp/eventhost-new" ./cmd/eventhost
go build -o "$tmp/eventload" ./cmd/eventload
"$tmp/eventhost-old" -addr 127.0.0.1:18330 -scripts scripts -watch=false -log-level warn >/dev/null 2>&1 & old_pid=$!
"$tmp/eventhost-new" -addr 127.0.0.1:18331 -scripts scripts -watch=false -log-level warn >/dev/null 2>&1 & new_pid=$!
sleep 2
tick_us=$((1000000 / $(getconf CLK_TCK)))
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
run() { # port pid
  "$tmp/eventload" -url "ws://127.0.0.1:$1/ws" -c 100 -w "$w" -d 1s >/dev/null
  local before after out
  before=$(cpu_ticks "$2")
  out=$("$tmp/eventload" -url "ws://127.0.0.1:$1/ws" -c 100 -w "$w" -d "${secs}s" -json)
  after=$(cpu_ticks "$2")
  echo "$out" | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r["lost"]==0 and not r["errors"], r; print(round(r["msgs_per_s"]), round(('"$after - $before"')*'"$tick_us"'/r["ok"], 1))'
}
ratios=()
for i in $(seq "$rounds"); do
  read -r o oc < <(run 18330 "$old_pid")
  read -r n nc < <(run 18331 "$new_pid")
  r=$(python3 -c "print(round($n/$o*100))"); ratios+=("$r")
  echo "100x$w round $i: $rev $o msgs/s ($oc µs CPU/msg), work tree $n msgs/s ($nc µs CPU/msg), $r%"
done
echo "100x$w median new / old: $(printf '%s\n' "${ratios[@]}" | sort -n | sed -n "$(( (rounds+1)/2 ))p")%"
