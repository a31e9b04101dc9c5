#!/usr/bin/env bash
# A profile-guided build of `sgprs` with GCC (cmake/SgprsPgo.cmake): builds it instrumented, trains
# it on short versions of the paper sweeps and the random-mix sweep (all four paper schedulers,
# 2 and 3 partitions, overlapping and disjoint layouts, three models), then rebuilds the same folder
# from that profile. Results are byte-identical to a plain build (bench/compare_builds.sh); the
# paper sweeps take about 14% less CPU (docs/experiments.md "Performance and scale").
# With --ship the profile is also copied to bench/pgo-profile/, the one every `tools/setup.sh`
# build uses without training (SGPRS_PGO=shipped): run it after a change to the simulator's hot
# path, and commit the folder.
#
#   bench/pgo_build.sh [--ship] [BUILD_DIR] [CMAKE_ARGS...]   # default build-pgo; then BUILD_DIR/sgprs
#   bench/paper_sweeps.sh build-pgo 2
set -euo pipefail
cd "$(dirname "$0")/.."
ship=0
if [[ "${1:-}" == "--ship" ]]; then
  ship=1
  shift
fi
build="${1:-build-pgo}"
shift || true
jobs="${JOBS:-2}"
train="$(mktemp -d)"
trap 'rm -rf "$train"' EXIT

# The generator is CMake's default (or CMAKE_GENERATOR, or the one the folder was configured with).
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSGPRS_PGO=generate "$@" >/dev/null
rm -rf "$build/pgo-profile"  # a profile of an earlier training would add to this one
cmake --build "$build" -j "$jobs" --target sgprs

# The training: every run of these sweeps, shortened (one thread: the counters are not atomic).
for name in paper-scenario1 paper-scenario2 random-mix; do
  sed 's/"duration_s": [0-9.]*/"duration_s": 1/; s/"repetitions": [0-9]*/"repetitions": 1/; s#"\.\./#"'"$PWD"'/traces/#g' \
    "traces/experiments/$name.json" >"$train/$name.json"
  "$build/sgprs" sweep --config "$train/$name.json" --out "$train/$name" --jobs 1 --no-plots --quiet >/dev/null
done

if ((ship)); then
  rm -rf bench/pgo-profile
  mkdir -p bench/pgo-profile
  # Only the event chain (bench/check_pgo_profile.py's HOT_PATH): the command-line, file and sweep
  # code is not where the time goes, and GCC warns ("Missing counts for called function") in a
  # profiled file that calls functions the training never ran, as input checks do.
  python3 bench/check_pgo_profile.py --pick "$build/pgo-profile" | while read -r f; do cp "$f" bench/pgo-profile/; done
  "${CXX:-c++}" -dumpfullversion >bench/pgo-profile/gcc-version.txt
  {
    echo "The profile of cmake/SgprsPgo.cmake's SGPRS_PGO=shipped, trained by bench/pgo_build.sh --ship."
    echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- common simulator || echo ' (with uncommitted changes)')"
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "compiler: $("${CXX:-c++}" --version | head -1)"
    echo "training: paper-scenario1, paper-scenario2, random-mix at 1 s, 1 repetition, 1 thread"
    echo "files: the event chain's objects only (bench/check_pgo_profile.py's HOT_PATH)"
  } >bench/pgo-profile/README.txt
  echo "shipped profile: bench/pgo-profile ($(find bench/pgo-profile -name '*.gcda' | wc -l) files)"
fi

cmake -S . -B "$build" -DSGPRS_PGO=use >/dev/null
cmake --build "$build" -j "$jobs" --target sgprs
echo "profile-guided sgprs: $build/sgprs"
