#!/usr/bin/env bash
# Instructions per request of one server binary, per case, counted by callgrind: unlike
# requests/s or CPU time, an instruction count does not move with other work on the machine,
# so it shows what a change saves even on a busy box. The server runs under valgrind (one I/O
# thread, instrumentation off outside the cases); each case is one `seckill bench` run, its counters
# zeroed before and dumped after (`callgrind_control`), and the dump's total over the answered
# requests is printed. Everything the process does counts, the order and reminder writers too.
# Usage: scripts/with-services bench/instructions.sh BIN [requests] [out-dir]
#   then e.g. callgrind_annotate OUT/purchase.out | head -60 for where they go.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:?server binary}; n=${2:-3000}; out=${3:-}
[ -n "${SECKILL_TEST_REDIS_URL:-}" ] || { echo "run under scripts/with-services" >&2; exit 2; }
load=build/release/seckill
work=$(mktemp -d /tmp/seckill-instr.XXXXXX)
[ -n "$out" ] || out=$work
mkdir -p "$out"
pid=
cleanup() { [ -z "$pid" ] || { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }; rm -rf "$work"; }
trap cleanup EXIT
secret=$(od -An -N32 -tx1 /dev/urandom | tr -d " \n")  # HS256: at least 32 bytes
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/callgrind.%p" \
  "$bin" serve --listen "127.0.0.1:$port" --threads 1 --jwt-secret "$secret" --log-level warn \
  --redis "$SECKILL_TEST_REDIS_URL" --postgres "$SECKILL_TEST_POSTGRES_URL" 2>"$work/serve.log" &
pid=$!
for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
# Slow under valgrind: few connections, so no request waits long enough to time out.
common=(--target "127.0.0.1:$port" --connections 8 --jwt-secret "$secret" --json --quiet)
# Warm-up, not counted: first-use allocations, script loads, caches.
"$load" bench "${common[@]}" --duration 2s >/dev/null
for s in sale soldout remind-new remind-repeat; do
  "$load" bench "${common[@]}" --scenario $s --users 300 --duration 2s --first-user $((2000000 + RANDOM)) >/dev/null
done
printf "%-14s %10s %14s\n" case requests "instr/request"
run_case() {
  local name=$1; shift
  callgrind_control -i on "$pid" >/dev/null 2>&1
  callgrind_control -z "$pid" >/dev/null 2>&1
  "$load" bench "${common[@]}" "$@" >"$work/run.json"
  sleep 2  # let the writers store what the case queued
  callgrind_control -d "$name" "$pid" >/dev/null 2>&1
  callgrind_control -i off "$pid" >/dev/null 2>&1
  local file requests ir
  file=$(ls -t "$out"/callgrind.$pid.* | head -1)
  mv "$file" "$out/$name.out"
  requests=$(jq .requests "$work/run.json")
  ir=$(grep -m1 '^summary:' "$out/$name.out" | awk '{print $2}')
  printf "%-14s %10d %14.0f\n" "$name" "$requests" "$(echo "$ir / $requests" | bc -l)"
}
run_case healthz --scenario healthz --duration 4s
run_case purchase --scenario sale --stock 1000000000 --users "$n" --first-user $((1000000 + RANDOM))
run_case soldout --scenario soldout --users "$n" --first-user $((50000000 + RANDOM))
run_case remind-new --scenario remind-new --users "$n" --first-user $((90000000 + RANDOM))
run_case remind-repeat --scenario remind-repeat --duration 4s
