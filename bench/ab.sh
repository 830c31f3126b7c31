#!/usr/bin/env bash
# A against B on a noisy machine: two server binaries side by side (same Redis and PostgreSQL,
# one I/O thread each), short `seckill bench` runs alternating A, B, A, B, ... per case, and the
# median of each. Alternating cancels most of the drift that other work on a shared machine
# causes between two long runs; each case is also given as a ratio to the same binary's healthz.
# Also each server's own CPU time per answered request (from /proc/PID/stat): on a machine shared
# with other work, throughput swings with their load, CPU per request much less. Redis's CPU time
# per request too when scripts/with-services's Redis pid is known (one Redis serves A and B, but
# the runs alternate, so each run's share is its own).
# Usage: scripts/with-services bench/ab.sh BIN_A BIN_B [rounds] [seconds]
#   e.g. bench/ab.sh build/release/seckill-before build/release/seckill 5 2
set -euo pipefail
cd "$(dirname "$0")/.."
a=${1:?binary A}; b=${2:?binary B}; rounds=${3:-5}; secs=${4:-2}
[ -n "${SECKILL_TEST_REDIS_URL:-}" ] || { echo "run under scripts/with-services" >&2; exit 2; }
load=build/release/seckill
work=$(mktemp -d /tmp/seckill-ab.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
secret=$(od -An -N32 -tx1 /dev/urandom | tr -d " \n")  # HS256: at least 32 bytes
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.05; done; return 1; }
declare -A port pid_of
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
redis_pid=$(head -n 1 "${SECKILL_TEST_SERVICES_DIR:-/nonexistent}/redis.pid" 2>/dev/null || true)
redis_ticks() { if [ -n "$redis_pid" ]; then cpu_ticks "$redis_pid"; else echo 0; fi; }
for side in A B; do
  bin=$a; [ "$side" = B ] && bin=$b
  port[$side]=$(free_port)
  "$bin" serve --listen "127.0.0.1:${port[$side]}" --threads 1 --jwt-secret "$secret" --log-level warn \
    --redis "$SECKILL_TEST_REDIS_URL" --postgres "$SECKILL_TEST_POSTGRES_URL" 2>"$work/$side.log" &
  pids+=($!)
  pid_of[$side]=$!
  wait_port "${port[$side]}"
done
cases=(healthz soldout remind-repeat remind-new purchase)
args_of() {
  case $1 in
    healthz) echo "--scenario healthz" ;;
    purchase) echo "--scenario sale --stock 1000000000" ;;
    *) echo "--scenario $1" ;;
  esac
}
for side in A B; do "$load" bench --target "127.0.0.1:${port[$side]}" --duration 2s --quiet >/dev/null; done
for r in $(seq 1 "$rounds"); do
  for c in "${cases[@]}"; do
    for side in A B; do
      t0=$(cpu_ticks "${pid_of[$side]}")
      r0=$(redis_ticks)
      # shellcheck disable=SC2046
      "$load" bench --target "127.0.0.1:${port[$side]}" --duration "${secs}s" --jwt-secret "$secret" \
        --first-user $((1000000 + r * 10000000 + RANDOM)) --json --quiet $(args_of "$c") >"$work/run.json"
      t1=$(cpu_ticks "${pid_of[$side]}")
      r1=$(redis_ticks)
      jq -r --arg s "$side" --arg c "$c" --argjson ticks $((t1 - t0)) --argjson rticks $((r1 - r0)) \
        --argjson hz "$(getconf CLK_TCK)" \
        '"\($s) \($c) \(.requests_per_s) \(if .requests > 0 then $ticks / $hz * 1e6 / .requests else 0 end) \(if .requests > 0 then $rticks / $hz * 1e6 / .requests else 0 end)"' \
        "$work/run.json" >>"$work/results"
    done
  done
  echo "round $r of $rounds done" >&2
done
median() { sort -n | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo "A = $a"
echo "B = $b"
echo "medians of $rounds alternating ${secs}s runs, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-14s %10s %8s %10s %8s %8s   %12s %12s %8s\n" case "A req/s" "A/hz" "B req/s" "B/hz" "B/A" \
  "A cpu us/req" "B cpu us/req" "B/A"
ha=$(awk '$1 == "A" && $2 == "healthz" {print $3}' "$work/results" | median)
hb=$(awk '$1 == "B" && $2 == "healthz" {print $3}' "$work/results" | median)
for c in "${cases[@]}"; do
  ma=$(awk -v c="$c" '$1 == "A" && $2 == c {print $3}' "$work/results" | median)
  mb=$(awk -v c="$c" '$1 == "B" && $2 == c {print $3}' "$work/results" | median)
  ca=$(awk -v c="$c" '$1 == "A" && $2 == c {print $4}' "$work/results" | median)
  cb=$(awk -v c="$c" '$1 == "B" && $2 == c {print $4}' "$work/results" | median)
  awk -v c="$c" -v a="$ma" -v b="$mb" -v ha="$ha" -v hb="$hb" -v ca="$ca" -v cb="$cb" \
    'BEGIN {printf "%-14s %10.0f %8.2f %10.0f %8.2f %8.2f   %12.1f %12.1f %8.2f\n", c, a, a / ha, b, b / hb, b / a, ca, cb, (ca > 0 ? cb / ca : 0)}'
done
[ -n "$redis_pid" ] || exit 0
printf "\n%-14s %14s %14s %8s\n" case "A redis us/req" "B redis us/req" "B/A"
for c in "${cases[@]}"; do
  ra=$(awk -v c="$c" '$1 == "A" && $2 == c {print $5}' "$work/results" | median)
  rb=$(awk -v c="$c" '$1 == "B" && $2 == c {print $5}' "$work/results" | median)
  awk -v c="$c" -v a="$ra" -v b="$rb" 'BEGIN {printf "%-14s %14.1f %14.1f %8.2f\n", c, a, b, (a > 0 ? b / a : 0)}'
done
