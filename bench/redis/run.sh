#!/usr/bin/env bash
# bench/redis/run.sh [BUILD_DIR]
#
# Pipelined INCR throughput: redis-benchmark (-P 16, 50 clients) and our client (redis_bench),
# against the same private Redis started by scripts/with-services, in the same run; prints both
# figures and the ratio ours / redis-benchmark. BUILD_DIR defaults to build/release.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build/release}" && pwd)
bench="$build/bench/redis/redis_bench"
[ -x "$bench" ] || { echo "no $bench: build the redis_bench target first" >&2; exit 2; }

exec "$root/scripts/with-services" bash -c '
  set -euo pipefail
  bench=$1
  port=${SECKILL_TEST_REDIS_URL##*:}
  port=${port%%/*}
  baseline=$(redis-benchmark -h 127.0.0.1 -p "$port" -P 16 -t incr -n 2000000 -q \
    | tr "\r" "\n" | grep -o "INCR: [0-9.]* requests per second" | tail -n 1 | grep -o "[0-9.]*" | head -n 1)
  json=$(mktemp)
  trap "rm -f $json" EXIT
  "$bench" --benchmark_format=json --benchmark_repetitions=1 >"$json" 2>/dev/null
  python3 - "$json" "$baseline" <<PY
import json, sys
data = json.load(open(sys.argv[1]))
baseline = float(sys.argv[2])
print(f"redis-benchmark -P 16 -t incr -n 2000000: {baseline:12,.0f} req/s")
best = {}
for b in data["benchmarks"]:
    rate = b.get("items_per_second", 0.0)
    name = b["name"]
    print(f"{name:<55} {rate:12,.0f} req/s  ratio {rate / baseline:.2f}")
    kind = "/".join(name.split("/")[:2])
    best[kind] = max(best.get(kind, 0.0), rate)
for kind, rate in best.items():
    print(f"best {kind:<40} {rate:12,.0f} req/s  ratio {rate / baseline:.2f}")
PY
' bash "$bench"
