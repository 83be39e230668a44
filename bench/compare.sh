#!/usr/bin/env bash
# The per-call path before and after a change, side by side: builds the
# server (eventhost serving the shipped scripts, preload; or SERVER=goecho,
# the Go echo) at REV and from the work tree, starts both, and alternates
# eventload runs against them at C connections x W in flight, printing
# throughput, median latency, each server's CPU time per message and the
# frames it wrote per write syscall (both from /proc: stat, and io's syscw).
# Usage: [SERVER=eventhost|goecho] bench/compare.sh REV [rounds] [seconds] [W] [C]
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: [SERVER=eventhost|goecho] bench/compare.sh REV [rounds] [seconds] [W] [C]}
rounds=${2:-5}; secs=${3:-5}; w=${4:-16}; c=${5:-100}; server=${SERVER:-eventhost}
case $server in
  eventhost) args=(-scripts scripts -watch=false -log-level warn) ;;
  goecho) args=(-log-level warn) ;;
  *) echo "SERVER is eventhost or goecho" >&2; exit 2 ;;
esac
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; git worktree remove --force "$tmp/old" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add -q --detach "$tmp/old" "$rev"
(cd "$tmp/old" && go build -o "$tmp/$server-old" "./cmd/$server")
go build -o "$tmp/$server-new" "./cmd/$server"
go build -o "$tmp/eventload" ./cmd/eventload
"$tmp/$server-old" -addr 127.0.0.1:18330 "${args[@]}" >/dev/null 2>&1 & old_pid=$!
"$tmp/$server-new" -addr 127.0.0.1:18331 "${args[@]}" >/dev/null 2>&1 & new_pid=$!
sleep 2
tick_us=$((1000000 / $(getconf CLK_TCK)))
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system time
writes() { awk '$1 == "syscw:" {print $2}' "/proc/$1/io"; } # write syscalls
# run PORT PID: one second of warm-up, then the measured run; prints
# "msgs/s µs-of-server-CPU-per-message frames-per-write p50-µs".
run() {
  "$tmp/eventload" -url "ws://127.0.0.1:$1/ws" -c "$c" -w "$w" -d 1s >/dev/null
  local before after wbefore wafter out
  before=$(cpu_ticks "$2"); wbefore=$(writes "$2")
  out=$("$tmp/eventload" -url "ws://127.0.0.1:$1/ws" -c "$c" -w "$w" -d "${secs}s" -json)
  after=$(cpu_ticks "$2"); wafter=$(writes "$2")
  echo "$out" | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r["lost"]==0 and not r["errors"], r; print(round(r["msgs_per_s"]), round(('"$after - $before"')*'"$tick_us"'/r["ok"], 1), round(r["ok"]/max(1, '"$wafter - $wbefore"'), 2), r["latency_us"]["p50"])'
}
ratios=()
for i in $(seq "$rounds"); do
  read -r o oc ow ol < <(run 18330 "$old_pid")
  read -r n nc nw nl < <(run 18331 "$new_pid")
  r=$(python3 -c "print(round($n/$o*100))"); ratios+=("$r")
  echo "$server ${c}x$w round $i: $rev $o msgs/s (p50 $ol µs, $oc µs CPU/msg, $ow frames/write), work tree $n msgs/s (p50 $nl µs, $nc µs CPU/msg, $nw frames/write), $r%"
done
echo "$server ${c}x$w median new / old: $(printf '%s\n' "${ratios[@]}" | sort -n | sed -n "$(( (rounds+1)/2 ))p")%"
