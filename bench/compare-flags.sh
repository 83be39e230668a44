#!/usr/bin/env bash
# The per-call path of one binary under two flag sets, side by side: builds
# eventhost from the work tree once, serves the shipped scripts from two
# processes (A with the base flags, B with the base flags and FLAGS), and
# alternates eventload runs against them at 100 connections x W in flight
# (A first in odd rounds, B first in even ones),
# printing throughput and each server's CPU time per message (from /proc).
# Usage: bench/compare-flags.sh "FLAGS" [rounds] [seconds] [W]
# e.g.   bench/compare-flags.sh "-metrics-addr 127.0.0.1:18334" 7 5 16
# When FLAGS has -metrics-addr, B's /metrics is scraped after each of its
# runs, as Prometheus would, and the calls it counted are printed.
set -euo pipefail
cd "$(dirname "$0")/.."
flags=${1:?usage: bench/compare-flags.sh "FLAGS" [rounds] [seconds] [W]}; rounds=${2:-5}; secs=${3:-5}; w=${4:-16}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/eventhost" ./cmd/eventhost
go build -o "$tmp/eventload" ./cmd/eventload
base=(-scripts scripts -watch=false -log-level warn)
"$tmp/eventhost" -addr 127.0.0.1:18332 -db "$tmp/a.db" "${base[@]}" >/dev/null 2>&1 & a_pid=$!
# shellcheck disable=SC2086 # FLAGS is a list of flags
"$tmp/eventhost" -addr 127.0.0.1:18333 -db "$tmp/b.db" "${base[@]}" $flags >/dev/null 2>&1 & b_pid=$!
sleep 2
maddr=$(sed -n 's/.*-metrics-addr[ =]\([^ ]*\).*/\1/p' <<<"$flags")
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
scraped() {
  [ -n "$maddr" ] || return 0
  curl -fsS "http://$maddr/metrics" | awk '/^eventhost_calls_total/ {s += $NF} END {printf " (B'"'"'s /metrics: %d calls)", s}'
}
ratios=(); acpu=(); bcpu=()
for i in $(seq "$rounds"); do
  if (( i % 2 )); then # the order alternates: the second run of a round is not always B
    read -r a ac < <(run 18332 "$a_pid"); read -r b bc < <(run 18333 "$b_pid")
  else
    read -r b bc < <(run 18333 "$b_pid"); read -r a ac < <(run 18332 "$a_pid")
  fi
  r=$(python3 -c "print(round($b/$a*100))"); ratios+=("$r"); acpu+=("$ac"); bcpu+=("$bc")
  echo "100x$w round $i: A $a msgs/s ($ac µs CPU/msg), B [$flags] $b msgs/s ($bc µs CPU/msg), $r%$(scraped)"
done
med() { sort -n | sed -n "$(( (rounds+1)/2 ))p"; }
echo "100x$w median B / A: $(printf '%s\n' "${ratios[@]}" | med)%; CPU per message, median: A $(printf '%s\n' "${acpu[@]}" | med) µs, B $(printf '%s\n' "${bcpu[@]}" | med) µs"
