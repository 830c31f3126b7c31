#!/usr/bin/env bash
# Single-voucher purchase throughput on one Redis and on Redis Clusters of 1, 2 and 3 masters
# (each with a replica), with the voucher in one stock bucket and split over K (--stock-buckets),
# and the cost of --redis-ack-replicas 1, as a ratio to GET /healthz of the same server in the
# same run. Every request is a new user on one voucher with stock to spare: the whole purchase
# path. For K > 1 on a cluster it also says on how many masters the K buckets landed (a bucket's
# slot comes from its hash tag {v:ID:b}, so K buckets may share a master). PostgreSQL from
# scripts/with-services.
# Usage: scripts/with-services bench/sale/scaling.sh [seconds] [server-threads]
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-10}; threads=${2:-1}
bin=build/release/seckill
secret=$(od -An -N32 -tx1 /dev/urandom | tr -d " \n")  # HS256: at least 32 bytes
work=$(mktemp -d /tmp/seckill-scaling.XXXXXX)
pids=(); clusters=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for c in "${clusters[@]}"; do scripts/redis-cluster stop "$c" || true; done
  rm -rf "$work"
}
trap cleanup EXIT

wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.05; done; }
measure() {  # measure NAME URL [wrk args...]
  local name=$1 url=$2; shift 2
  local out; out=$(wrk -t1 -c64 -d"${secs}s" --latency "$@" "$url")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out"); p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  echo "$name $rps $p50 $p99 ${errors:-0}" >>"$work/results"
}

"$bin" token --user 1000000 --count $((secs * 40000)) --jwt-secret "$secret" >"$work/tokens"
admin=$("$bin" token --user 1 --role admin --jwt-secret "$secret")

# masters_of VOUCHER K NODES: how many distinct masters serve the stock keys of buckets 0..K-1 (a
# node answers EXISTS with 1 only for a key of its own slots; others answer MOVED).
masters_of() {
  local voucher=$1 k=$2 nodes=$3 key port
  for b in $(seq 0 $((k - 1))); do
    if [ "$b" = 0 ]; then key="{v:$voucher}:stock"; else key="{v:$voucher:$b}:stock"; fi
    while read -r port _; do
      [ "$(redis-cli -p "$port" exists "$key" 2>/dev/null)" = 1 ] && echo "$port"
    done <"$nodes"
  done | sort -u | wc -l
}

run_case() {  # run_case NAME NODES-FILE-OR-"" FLAGS...
  local name=$1 nodes=$2; shift 2
  local k=1 arg prev=""
  for arg in "$@"; do [ "$prev" = --stock-buckets ] && k=$arg; prev=$arg; done
  local port=$((30000 + RANDOM % 20000))
  "$bin" serve --listen "127.0.0.1:$port" --threads "$threads" --jwt-secret "$secret" --log-level warn \
    --postgres "$SECKILL_TEST_POSTGRES_URL" "$@" 2>"$work/server-$name.log" &
  pids+=($!)
  wait_port "$port"; sleep 0.5
  local base="http://127.0.0.1:$port"
  local voucher
  voucher=$(curl -s -XPOST "$base/api/v1/vouchers" -H "Authorization: Bearer $admin" \
    -d '{"title":"bench","stock":1000000000,"begin_at":"2020-01-01T00:00:00Z","end_at":"2099-01-01T00:00:00Z"}' |
    sed 's/.*"id":"\([0-9]*\)".*/\1/')
  wrk -t1 -c64 -d2s "$base/healthz" >/dev/null
  measure "$name/healthz" "$base/healthz"
  TOKENS=$work/tokens VOUCHER=$voucher measure "$name/purchase" "$base" -s bench/sale/purchase.lua
  if [ -n "$nodes" ] && [ "$k" -gt 1 ]; then
    echo "$name buckets=$k on $(masters_of "$voucher" "$k" "$nodes") masters" >>"$work/placement"
  fi
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
}

: >"$work/results"; : >"$work/placement"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
run_case single "" --redis "$SECKILL_TEST_REDIS_URL"
run_case single-K4 "" --redis "$SECKILL_TEST_REDIS_URL" --stock-buckets 4
for masters in 1 2 3; do
  dir="$work/cluster-$masters"; clusters+=("$dir")
  seeds=$(scripts/redis-cluster start "$dir" "$masters")
  run_case "cluster-$masters" "$dir/nodes" --redis "$seeds"
  if [ "$masters" -gt 1 ]; then
    run_case "cluster-$masters-K$masters" "$dir/nodes" --redis "$seeds" --stock-buckets "$masters"
  fi
  if [ "$masters" = 3 ]; then
    run_case "cluster-3-K4" "$dir/nodes" --redis "$seeds" --stock-buckets 4
    run_case "cluster-3-ack1" "$dir/nodes" --redis "$seeds" --redis-ack-replicas 1
  fi
  scripts/redis-cluster stop "$dir"
done

echo "server threads: $threads, wrk -t1 -c64 -d${secs}s, $(nproc) cores, $(date -u +%FT%TZ)"
echo "load average (1, 5, 15 min): $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after"
cat "$work/placement"
printf "%-28s %12s %8s %8s %8s  %s\n" case req/s ratio p50 p99 non-2xx
while read -r name rps p50 p99 rest; do
  mode=${name%%/*}
  base=$(awk -v m="$mode/healthz" '$1 == m {print $2}' "$work/results")
  ratio=$(awk -v a="$rps" -v b="$base" 'BEGIN {printf "%.2f", a / b}')
  printf "%-28s %12s %8s %8s %8s  %s\n" "$name" "$rps" "$ratio" "$p50" "$p99" "$rest"
done <"$work/results"
