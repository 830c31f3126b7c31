#!/usr/bin/env bash
# Purchase and reminder throughput as a ratio to GET /healthz of the same server, in one run:
#   healthz                the HTTP ceiling
#   purchase, distinct     every request a new user on a voucher with stock to spare: the whole
#                          path (window, id, Lua script, stream, pending record, order writer)
#   purchase, sold out     after the voucher sold out: the instance's local flag answers
#   remind, new            every request a new user reminding one ticket
#   remind, repeat         one user again and again: already_reminded
# Distributed mode (private Redis + PostgreSQL from scripts/with-services) and embedded mode.
# Usage: scripts/with-services bench/sale/run.sh [seconds] [server-threads]
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-10}; threads=${2:-1}
bin=build/release/seckill
secret=$(od -An -N32 -tx1 /dev/urandom | tr -d " \n")  # HS256: at least 32 bytes
work=$(mktemp -d /tmp/seckill-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.05; done; }
measure() {  # measure NAME URL [wrk args...]
  local name=$1 url=$2; shift 2
  local out; out=$(wrk -t1 -c64 -d"${secs}s" --latency "$@" "$url")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out"); p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  local errors; errors=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  echo "$name $rps $p50 $p99 ${errors:-0}" >>"$work/results"
}

n_tokens=$(( secs * 60000 ))
"$bin" token --user 1000000 --count "$n_tokens" --jwt-secret "$secret" >"$work/tokens"
admin=$("$bin" token --user 1 --role admin --jwt-secret "$secret")

run_mode() {  # run_mode MODE FLAGS...
  local mode=$1; shift
  local port=$((30000 + RANDOM % 20000))
  "$bin" serve --listen "127.0.0.1:$port" --threads "$threads" --jwt-secret "$secret" --log-level warn "$@" \
    2>"$work/server-$mode.log" &
  pids+=($!)
  wait_port "$port"; sleep 0.5
  local base="http://127.0.0.1:$port"
  create() {
    curl -s -XPOST "$base/api/v1/vouchers" -H "Authorization: Bearer $admin" \
      -d "{\"title\":\"bench\",\"stock\":$1,\"begin_at\":\"2020-01-01T00:00:00Z\",\"end_at\":\"2099-01-01T00:00:00Z\"}" |
      sed 's/.*"id":"\([0-9]*\)".*/\1/'
  }
  wrk -t1 -c64 -d2s "$base/healthz" >/dev/null
  measure "$mode/healthz" "$base/healthz"
  TOKENS=$work/tokens VOUCHER=$(create 1000000000) measure "$mode/purchase-distinct" "$base" -s bench/sale/purchase.lua
  local sold; sold=$(create 1)
  curl -s -XPOST "$base/api/v1/vouchers/$sold/orders" -H "Authorization: Bearer $admin" >/dev/null
  TOKENS=$work/tokens VOUCHER=$sold measure "$mode/purchase-soldout" "$base" -s bench/sale/purchase.lua
  TOKENS=$work/tokens TICKET="bench-$RANDOM" measure "$mode/remind-new" "$base" -s bench/sale/purchase.lua
  head -n 1 "$work/tokens" >"$work/one-token"
  TOKENS=$work/one-token TICKET="bench-$RANDOM" measure "$mode/remind-repeat" "$base" -s bench/sale/purchase.lua
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
}

: >"$work/results"
if [ -n "${SECKILL_TEST_REDIS_URL:-}" ]; then
  run_mode distributed --redis "$SECKILL_TEST_REDIS_URL" --postgres "$SECKILL_TEST_POSTGRES_URL"
fi
run_mode embedded --data "$work/data"

echo "server threads: $threads, wrk -t1 -c64 -d${secs}s, $(nproc) cores, $(date -u +%FT%TZ)"
printf "%-30s %12s %8s %8s %8s  %s\n" case req/s ratio p50 p99 non-2xx
while read -r name rps p50 p99 rest; do
  mode=${name%%/*}
  base=$(awk -v m="$mode/healthz" '$1 == m {print $2}' "$work/results")
  ratio=$(awk -v a="$rps" -v b="$base" 'BEGIN {printf "%.2f", a / b}')
  printf "%-30s %12s %8s %8s %8s  %s\n" "$name" "$rps" "$ratio" "$p50" "$p99" "$rest"
done <"$work/results"
