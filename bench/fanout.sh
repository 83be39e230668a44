#!/usr/bin/env bash
# Fan-out of a 1 KiB push to one room of 10,000 WebSocket clients, held by a
# second process (see BenchmarkFanout10k in host/fanout10k_test.go). Each run
# is a fresh process pair; run them one after the other.
# Usage: bench/fanout.sh [runs] [rounds per run]
# FANOUT_N=1000 bench/fanout.sh for a quick check;
# FANOUT_HEAPPROFILE=heap.out for the server's heap with the clients idle.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-2}; rounds=${2:-5}
for i in $(seq "$runs"); do
  go test -run '^$' -bench BenchmarkFanout10k -benchtime "${rounds}x" -timeout 300s ./host/ | grep '^BenchmarkFanout10k'
done
