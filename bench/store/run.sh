#!/usr/bin/env bash
# Builds and runs the PostgreSQL order writer benchmark against a private PostgreSQL started by
# scripts/with-services (stopped afterwards). Extra arguments go to the benchmark, e.g.
#   bench/store/run.sh --benchmark_filter='BM_WriteOrders/batch:100'
# BUILD_DIR picks the build directory [build/release].
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIR:-build/release}
[ -f "$build/CMakeCache.txt" ] || cmake --preset release -B "$build" >/dev/null
cmake --build "$build" -j2 --target store_order_writer_bench
scripts/with-services "$build/bench/store/store_order_writer_bench" "$@"
