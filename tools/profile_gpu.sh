#!/usr/bin/env bash
# Build the profiler from source on a GPU machine, run its GPU tests, and measure
# one profile, all in one command (fits one 10-minute device call):
#
#   tools/profile_gpu.sh tf32 [extra `sgprs-profile profile` flags]     # e.g. --quick
#   OUT=/some/dir SKIP_TESTS=1 NAME=h200-fp16-rerun tools/profile_gpu.sh fp16
#   TESTS_ONLY=1 tools/profile_gpu.sh                                     # build and GPU tests, no profile
#   BUILD_ONLY=1 tools/profile_gpu.sh                                     # build (with the tests), nothing run
#
# The first argument is the precision (fp32 strict, tf32, fp16; see `sgprs profile --help`).
# Writes under $OUT (default ./out): build.log, tests.log, gpu.txt (nvidia-smi),
# <NAME>.json and profile-<NAME>.log, where NAME defaults to <gpu>-<precision> and <gpu> is the
# GPU's model from nvidia-smi in lower case (h100, h200, ...). JOBS sets the build's parallelism
# (default: every core).
# Builds only the profiler's own targets (sgprs-profile and its tests), so other
# folders of the tree being mid-edit cannot break it; if the project's root CMake
# does not configure, a profiler-only project over the same sources is used.
# Dependencies and cuDNN are found by tools/gpu_build_env.sh.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
precision="${1:-fp32}"
shift || true
out="${OUT:-$root/out}"
mkdir -p "$out"
build="${BUILD_DIR:-/tmp/sgprs-build-prof}"
jobs="${JOBS:-$(nproc 2>/dev/null || echo 4)}"
log() { echo "[profile_gpu $(date -u +%H:%M:%S)] $*" >&2; }
# Recorded in the profile's provenance; pass it in when the tree has no .git (a copy).
export SGPRS_SOURCE_COMMIT="${SGPRS_SOURCE_COMMIT:-$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)}"

# --- dependencies (prefix_path, cudnn_args, generator) ----------------------
source "$root/tools/gpu_build_env.sh"

# --- configure and build ---------------------------------------------------
{
  grep -qs "CMAKE_HOME_DIRECTORY:INTERNAL=$root\$" "$build/CMakeCache.txt" || rm -rf "$build"
  if ! configure_sgprs "$build"; then
    log "root CMake did not configure; falling back to a profiler-only project"
    standalone=/tmp/sgprs-profiler-src
    mkdir -p "$standalone"
    cat > "$standalone/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25...4.2)
project(sgprs VERSION 0.1.0 LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(SGPRS_CUDA ON)
set(SGPRS_BUILD_TESTS ON)
set(SGPRS_BUILD_BENCH OFF)
# The sources live in the repository: paths below resolve against it.
set(PROJECT_SOURCE_DIR "$root")
list(APPEND CMAKE_MODULE_PATH "$root/cmake")
include(SgprsDependencies)
include(SgprsWarnings)
include(SgprsCuda)
enable_testing()
add_subdirectory("$root/common" common)
add_subdirectory("$root/profiler" profiler)
add_subdirectory("$root/tests/profiler" tests/profiler)
CMAKE
    rm -rf "$build"
    configure_source="$standalone" configure_sgprs "$build" || exit 2
  fi
  targets=(sgprs-profile)
  if [[ -z "${SKIP_TESTS:-}" ]]; then
    targets+=(sgprs_profiler_measure_test sgprs_profiler_partition_test sgprs_profiler_timer_test sgprs_profiler_command_test)
  fi
  cmake --build "$build" -j "$jobs" --target "${targets[@]}" || exit 2
  # The operation library's GPU tests, when this build defines them (not in the fallback project).
  if [[ -z "${SKIP_TESTS:-}" && -f "$root/tests/ops/CMakeLists.txt" ]]; then
    for t in $(grep -ho 'sgprs_add_test([a-z0-9_]*' "$root/tests/ops/CMakeLists.txt" | sed 's/sgprs_add_test(//'); do
      cmake --build "$build" -j "$jobs" --target "$t" || echo "ops test target $t not built"
    done
  fi
} > "$out/build.log" 2>&1 || { log "build failed"; tail -30 "$out/build.log" >&2; exit 2; }
log "built: ${targets[*]}"
[[ -n "${BUILD_ONLY:-}" ]] && exit 0

nvidia-smi > "$out/gpu.txt" 2>&1
nvidia-smi -q -d CLOCK,PERFORMANCE,POWER,TEMPERATURE >> "$out/gpu.txt" 2>&1

# --- GPU tests -------------------------------------------------------------
if [[ -z "${SKIP_TESTS:-}" ]]; then
  (cd "$root" && for t in "$build"/tests/profiler/sgprs_profiler_*_test "$build"/tests/ops/*test*; do
     [[ -x "$t" && -f "$t" ]] || continue
     echo "=== $t"; timeout 180 "$t" --gtest_brief=1 2>&1
   done
   if [[ -x "$build/tests/ops/sgprs_ops_test" ]]; then
     echo "=== $build/tests/ops/sgprs_ops_test --gtest_filter=*Conv* with SGPRS_CUDNN_AUTOTUNE=1"
     SGPRS_CUDNN_AUTOTUNE=1 timeout 180 "$build/tests/ops/sgprs_ops_test" --gtest_brief=1 --gtest_filter='*Conv*' 2>&1
     echo "=== $build/tests/ops/sgprs_ops_test --gtest_filter=*Depthwise*-*DepthwisePaths* with SGPRS_DEPTHWISE=cudnn"
     SGPRS_DEPTHWISE=cudnn timeout 180 "$build/tests/ops/sgprs_ops_test" --gtest_brief=1 \
       --gtest_filter='*Depthwise*-*DepthwisePaths*' 2>&1
   fi) > "$out/tests.log" 2>&1
  log "tests: $(grep -c '^\[  PASSED' "$out/tests.log") binaries passed, $(grep -c '^\[  FAILED  \] [A-Za-z]' "$out/tests.log") failures"
  grep -E '^\[  FAILED  \] [A-Za-z]|Failure' "$out/tests.log" | head -20 >&2
fi

[[ -n "${TESTS_ONLY:-}" ]] && exit 0

# --- the profile -----------------------------------------------------------
cd "$root"
gpu="$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 | grep -oiE '[A-Z][0-9]{2,4}' | head -1 | tr 'A-Z' 'a-z')"
name="${NAME:-${gpu:-gpu}-$precision}"
log "profiling $precision $* into $name.json"
set -o pipefail
started=$SECONDS
"$build/sgprs-profile" profile --precision "$precision" --out "$out/$name.json" "$@" 2>&1 | tee "$out/profile-$name.log" | tail -40
status=${PIPESTATUS[0]}
log "sgprs-profile exited with $status after $((SECONDS - started)) s"
if [[ $status == 0 && -z "${NO_PLOT:-}" ]] && python3 -c "import matplotlib" 2>/dev/null; then
  python3 "$root/tools/plot_profile.py" "$out/$name.json" >&2 || log "plotting failed"
fi
exit "$status"
