#!/usr/bin/env bash
# The order writer's drain rate, end to end (bench/sale/order_drain_bench.cpp), against a private
# Redis and PostgreSQL started by scripts/with-services and stopped afterwards. Extra arguments go
# to the benchmark, e.g. bench/sale/drain.sh --benchmark_filter='writers:1/'
# BUILD_DIR picks the build directory [build/release].
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIR:-build/release}
[ -f "$build/CMakeCache.txt" ] || cmake --preset release -B "$build" >/dev/null
cmake --build "$build" -j2 --target sale_order_drain_bench
scripts/with-services "$build/bench/sale/sale_order_drain_bench" "$@"
