#!/usr/bin/env bash
# The HTTP ceiling: GET /healthz of `seckill serve` under `wrk -t1 -c64`, for 1 and 2 I/O
# threads, on this machine (the load generator shares the cores). Every endpoint's figure is
# later given as a ratio to this one, measured in the same run.
# Usage: bench/http/healthz.sh [seconds]   (build first: scripts/build release)
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-10}
bin=build/release/seckill
secret=$(od -An -N32 -tx1 /dev/urandom | tr -d " \n")  # HS256: at least 32 bytes
command -v wrk >/dev/null || { echo "wrk is needed (apt install wrk)" >&2; exit 1; }
for threads in 1 2; do
  port=$((30000 + RANDOM % 20000))
  "$bin" serve --listen "127.0.0.1:$port" --threads "$threads" --jwt-secret "$secret" --log-level warn \
    2>/dev/null &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
  wrk -t1 -c64 -d2s "http://127.0.0.1:$port/healthz" >/dev/null  # warm up
  out=$(wrk -t1 -c64 -d"${secs}s" --latency "http://127.0.0.1:$port/healthz")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  echo "healthz server_threads=$threads wrk=-t1 -c64 requests_per_s=$rps p99=$p99"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  trap - EXIT
done
