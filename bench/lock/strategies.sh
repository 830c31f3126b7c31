#!/usr/bin/env bash
# Sale and reminder throughput of every strategy (issue #6) side by side in one run, as ratios
# to lua, on the private Redis + PostgreSQL of scripts/with-services, and embedded:
#   purchase-distinct   every request a new user, a voucher with stock to spare
#   remind-new          every request a new user reminding one ticket (one hot lock for `lock`)
# Same wrk + purchase.lua approach as bench/sale/run.sh.
# Usage: scripts/with-services bench/lock/strategies.sh [seconds] [server-threads]
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-8}; threads=${2:-1}
bin=build/release/seckill
secret=$(od -An -N32 -tx1 /dev/urandom | tr -d " \n")  # HS256: at least 32 bytes
work=$(mktemp -d /tmp/seckill-bench-strategies.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; cat "$work"/server-*.log 2>/dev/null | grep -iv "^$" | tail -5 >&2; rm -rf "$work"; }
trap cleanup EXIT

wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.05; done; }
measure() {  # measure NAME URL [wrk args...]
  local name=$1 url=$2; shift 2
  local out; out=$(wrk -t1 -c64 -d"${secs}s" --latency "$@" "$url")
  local rps p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  echo "$name $rps $p99 ${errors:-0}" >>"$work/results"
}

n_tokens=$(( secs * 40000 ))
"$bin" token --user 5000000 --count "$n_tokens" --jwt-secret "$secret" >"$work/tokens"
admin=$("$bin" token --user 1 --role admin --jwt-secret "$secret")

run_case() {  # run_case MODE SALE REMIND FLAGS...
  local mode=$1 sale=$2 remind=$3; shift 3
  local port=$((30000 + RANDOM % 20000))
  "$bin" serve --listen "127.0.0.1:$port" --threads "$threads" --jwt-secret "$secret" --log-level warn \
    --sale-strategy "$sale" --reminder-strategy "${remind/skip/lua}" "$@" 2>"$work/server-$mode-$sale.log" &
  pids+=($!)
  wait_port "$port"; sleep 0.5
  local base="http://127.0.0.1:$port"
  local voucher
  voucher=$(curl -s -XPOST "$base/api/v1/vouchers" -H "Authorization: Bearer $admin" \
    -d '{"title":"bench","stock":1000000000,"begin_at":"2020-01-01T00:00:00Z","end_at":"2099-01-01T00:00:00Z"}' |
    sed 's/.*"id":"\([0-9]*\)".*/\1/')
  wrk -t1 -c64 -d1s "$base/healthz" >/dev/null
  TOKENS=$work/tokens VOUCHER=$voucher measure "$mode/purchase-distinct/$sale" "$base" -s bench/sale/purchase.lua
  if [ "$remind" != skip ]; then
    TOKENS=$work/tokens TICKET="bench-$RANDOM$RANDOM" measure "$mode/remind-new/$remind" "$base" -s bench/sale/purchase.lua
  fi
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
}

: >"$work/results"
if [ -n "${SECKILL_TEST_REDIS_URL:-}" ]; then
  d=(--redis "$SECKILL_TEST_REDIS_URL" --postgres "$SECKILL_TEST_POSTGRES_URL")
  run_case distributed lua lua "${d[@]}"
  run_case distributed db skip "${d[@]}"
  run_case distributed lock lock "${d[@]}"
fi
run_case embedded lua lua --data "$work/data-lua"
run_case embedded db skip --data "$work/data-db"
run_case embedded lock lock --data "$work/data-lock"

echo "server threads: $threads, wrk -t1 -c64 -d${secs}s, $(nproc) cores, $(date -u +%FT%TZ)"
printf "%-40s %12s %8s %8s  %s\n" case req/s "vs lua" p99 non-2xx
while read -r name rps p99 errors; do
  prefix=${name%/*}
  base=$(awk -v m="$prefix/lua" '$1 == m {print $2}' "$work/results")
  ratio=$(awk -v a="$rps" -v b="$base" 'BEGIN {printf "%.2f", a / b}')
  printf "%-40s %12s %8s %8s  %s\n" "$name" "$rps" "$ratio" "$p99" "$errors"
done <"$work/results"
