#!/usr/bin/env bash
# One-step set-up for a fresh Debian/Ubuntu machine (no GPU needed):
#   tools/setup.sh run    install what is missing, build, run `sgprs simulate` on the shipped defaults
#   tools/setup.sh test   install what is missing, build, run the whole test suite (CTest); then build
#                         again with AddressSanitizer + UndefinedBehaviorSanitizer (clang, CUDA off,
#                         folder SANITIZE_BUILD_DIR) and run the CPU suite there, plus each libFuzzer
#                         target over its corpus and regressions and for SGPRS_FUZZ_SECONDS (default 30)
# Environment: BUILD_DIR (default build), SGPRS_CUDA (AUTO|ON|OFF, default AUTO: CUDA parts are
# built when a CUDA toolkit with cuDNN and CUPTI is installed; their GPU tests skip without a GPU),
# SANITIZE_BUILD_DIR (default build-sanitize), SGPRS_FUZZ_SECONDS (default 30; 0 skips the fuzzing runs),
# SGPRS_PGO (shipped, the default: with GCC of the version that trained bench/pgo-profile, a build
# guided by that committed profile, no training here, else a plain one; 1: train the folder's own
# profile first, bench/pgo_build.sh, 4-7 more minutes; 0: a plain Release build. A folder trained
# before keeps its own profile unless SGPRS_PGO says otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-}"
if [[ "$mode" != "run" && "$mode" != "test" ]]; then
  echo "usage: tools/setup.sh run|test" >&2
  exit 2
fi

packages=(cmake g++ make pkg-config libboost-graph-dev nlohmann-json3-dev libcli11-dev libfmt-dev
          libgtest-dev libgmock-dev libbenchmark-dev python3 python3-matplotlib libopenmpi-dev openmpi-bin procps clang libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=""
  [[ "$(id -u)" != 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

build_dir="${BUILD_DIR:-build}"
jobs="$(nproc 2>/dev/null || echo 2)"
cmake_args=(-DCMAKE_BUILD_TYPE=Release -DSGPRS_CUDA="${SGPRS_CUDA:-AUTO}")
# The test executables as unity builds (cmake/SgprsWarnings.cmake): on a 2-core machine their
# compilation took 443 s of CPU so against 250 s (2026-12-06). `run` leaves the folder's choice as it is.
if [[ "$mode" == test ]]; then cmake_args+=(-DSGPRS_UNITY_TESTS=ON); fi
# Profile-guided with GCC (cmake/SgprsPgo.cmake): the profile steers inlining, layout and branch
# order, no floating-point flag, so results are byte-identical; about 14% less CPU on the paper
# sweeps. By default from the profile committed in bench/pgo-profile (trained by `bench/pgo_build.sh
# --ship`), which costs nothing here; CMake falls back to a plain build with another compiler or
# GCC version. SGPRS_PGO=1 trains the folder's own profile instead (on a fresh 2-core machine
# `tools/setup.sh run` took 984 s so against 558 s, 2026-12-04); a folder trained before keeps its
# own profile (retraining would rebuild every target twice): bench/pgo_build.sh "$BUILD_DIR" trains
# it again.
pgo_done=0
pgo="${SGPRS_PGO:-shipped}"
cxx_version="$("${CXX:-c++}" --version 2>/dev/null || true)"
if [[ "$pgo" != 0 && "$pgo" != 1 ]] && grep -qx 'SGPRS_PGO:STRING=use' "$build_dir/CMakeCache.txt" 2>/dev/null; then
  cmake -S . -B "$build_dir" "${cmake_args[@]}" >/dev/null
  pgo_done=1
elif [[ "$pgo" == 1 && "${cxx_version%%$'\n'*}" =~ ^(g\+\+|c\+\+)\  ]]; then
  echo "setup: profile-guided build of sgprs (bench/pgo_build.sh, SGPRS_PGO=1)" >&2
  if JOBS="$jobs" bench/pgo_build.sh "$build_dir" "${cmake_args[@]}" >/dev/null; then
    pgo_done=1
  else
    echo "setup: the profile-guided build failed; building without a profile" >&2
  fi
fi
if ((!pgo_done)); then
  [[ "$pgo" == 0 ]] && pgo_mode="" || pgo_mode=shipped
  cmake -S . -B "$build_dir" "${cmake_args[@]}" -DSGPRS_PGO="$pgo_mode" >/dev/null
fi
cmake --build "$build_dir" -j "$jobs"

if [[ "$mode" == "run" ]]; then
  "$build_dir/sgprs" simulate
else
  ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
  # The same CPU suite under the sanitizers (any report aborts the test), and the fuzz targets.
  # A unity build: the instrumented code generation of the headers every file shares (nlohmann/json,
  # GoogleTest, CLI11) is done once per batch of 8 files instead of once per file; on a 2-core
  # machine this build took 920-970 s of CPU so against 555 s (2026-12-06). Each file still compiles on
  # its own in the Release build above, and no file's code changes; names in anonymous namespaces
  # must be unique across a target's files, or this build stops with "redefinition".
  san_dir="${SANITIZE_BUILD_DIR:-build-sanitize}"
  fuzz_seconds="${SGPRS_FUZZ_SECONDS:-30}"
  cmake -S . -B "$san_dir" -DCMAKE_BUILD_TYPE=Release -DSGPRS_CUDA=OFF -DSGPRS_SANITIZE=ON -DSGPRS_BUILD_BENCH=OFF \
        -DCMAKE_CXX_COMPILER=clang++ -DSGPRS_FUZZ=ON -DSGPRS_FUZZ_SECONDS="$fuzz_seconds" -DCMAKE_UNITY_BUILD=ON >/dev/null
  cmake --build "$san_dir" -j "$jobs"
  exclude=()
  [[ "$fuzz_seconds" == 0 ]] && exclude=(-LE fuzz)
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir "$san_dir" --output-on-failure -j "$jobs" "${exclude[@]}"
fi
