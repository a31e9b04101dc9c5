#!/usr/bin/env bash
# A profile-guided build of `sgprs` with GCC (cmake/SgprsPgo.cmake): builds it instrumented, trains
# it on short versions of the paper sweeps and the random-mix sweep (all four paper schedulers,
# 2 and 3 partitions, overlapping and disjoint layouts, three models), then rebuilds the same folder
# from that profile. Results are byte-identical to a plain build (bench/compare_builds.sh); the
# paper sweeps take about 14% less CPU (11-23% in 2026-12-04's alternating runs; docs/experiments.md
# "Performance and scale"). SGPRS_PGO=1 tools/setup.sh builds this way with GCC (opt-in).
#
#   bench/pgo_build.sh [BUILD_DIR] [CMAKE_ARGS...]     # default build-pgo; then BUILD_DIR/sgprs
#   bench/paper_sweeps.sh build-pgo 2
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-pgo}"
shift || true
jobs="${JOBS:-2}"
train="$(mktemp -d)"
trap 'rm -rf "$train"' EXIT

# The generator is CMake's default (or CMAKE_GENERATOR, or the one the folder was configured with).
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSGPRS_PGO=generate "$@" >/dev/null
find "$build" -name '*.gcda' -delete  # a profile of an earlier training would add to this one
cmake --build "$build" -j "$jobs" --target sgprs

# The training: every run of these sweeps, shortened (one thread: the counters are not atomic).
for name in paper-scenario1 paper-scenario2 random-mix; do
  sed 's/"duration_s": [0-9.]*/"duration_s": 1/; s/"repetitions": [0-9]*/"repetitions": 1/; s#"\.\./#"'"$PWD"'/traces/#g' \
    "traces/experiments/$name.json" >"$train/$name.json"
  "$build/sgprs" sweep --config "$train/$name.json" --out "$train/$name" --jobs 1 --no-plots --quiet >/dev/null
done

cmake -S . -B "$build" -DSGPRS_PGO=use >/dev/null
cmake --build "$build" -j "$jobs" --target sgprs
echo "profile-guided sgprs: $build/sgprs"
