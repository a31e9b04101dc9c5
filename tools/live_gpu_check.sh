#!/usr/bin/env bash
# The live CUDA executor on a GPU machine, in one command (about 3-5 minutes on the H200):
# build (sm_90), its GPU tests, the completion-noticing microbenchmark (each mechanism:
# GPU end to noticed / returned, launch cost), and the set-up of 240 ResNet-18 tasks on
# 3 partitions (time, GPU memory, graphs; target < 30 s). Keeps going past failures.
#
#   tools/live_gpu_check.sh                 # from the repository root; results under $OUT (default ./out)
#
# Writes under $OUT (8 files): build.log, tests.log, gpu.txt, completion.log, completion.json,
# setup240.log, setup240-fp32.json, setup240-tf32.json. The last lines on stdout summarise.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${OUT:-$root/out}"
mkdir -p "$out"
build="${BUILD_DIR:-/tmp/sgprs-build-live}"
jobs="$(nproc 2>/dev/null || echo 4)"
log() { echo "[live_gpu_check $(date -u +%H:%M:%S)] $*" >&2; }
started=$SECONDS

source "$root/tools/gpu_build_env.sh"
targets=(sgprs_live_device_test sgprs_live_bench sgprs_profiler_partition_test)

# --- build -------------------------------------------------------------------
{
  grep -qs "CMAKE_HOME_DIRECTORY:INTERNAL=$root\$" "$build/CMakeCache.txt" || rm -rf "$build"
  configure_sgprs "$build" ON || echo "CONFIGURE FAILED"
  for t in "${targets[@]}"; do cmake --build "$build" -j "$jobs" --target "$t" || echo "BUILD FAILED: $t"; done
} > "$out/build.log" 2>&1
log "build done after $((SECONDS - started)) s ($(grep -c 'BUILD FAILED' "$out/build.log") targets failed)"
find_binary() { find "$build" -name "$1" -type f -perm -u+x 2>/dev/null | head -1; }

nvidia-smi > "$out/gpu.txt" 2>&1
nvidia-smi -q -d CLOCK,PERFORMANCE,POWER,TEMPERATURE >> "$out/gpu.txt" 2>&1

# --- GPU tests ---------------------------------------------------------------
(cd "$root" && for t in sgprs_live_device_test sgprs_profiler_partition_test; do
   bin="$(find_binary "$t")"
   [[ -n "$bin" ]] || { echo "=== $t: not built"; continue; }
   echo "=== $bin"; timeout 240 "$bin" 2>&1; echo "=== exit status $?"
 done) > "$out/tests.log" 2>&1
log "tests: $(grep -c '^\[       OK' "$out/tests.log") passed, $(grep -c '^\[  FAILED  \] [A-Za-z]' "$out/tests.log") failed, $(grep -c '^\[  SKIPPED \] [A-Za-z]' "$out/tests.log") skipped"

# --- completion microbenchmark and set-up of 240 tasks -------------------------
bench="$(find_binary sgprs_live_bench)"
if [[ -n "$bench" ]]; then
  (cd "$root" && timeout 150 "$bench" --seconds 3 --out "$out/completion.json") > "$out/completion.log" 2>&1
  log "completion bench exited with $? after $((SECONDS - started)) s"
  : > "$out/setup240.log"
  for precision in fp32 tf32; do  # strict fp32 as the shipped profile; TF32 as PyTorch's default
    (cd "$root" && timeout 120 "$bench" --setup-only --tasks 240 --layout equal:3:1.0x --completion polling \
       --precision "$precision" --out "$out/setup240-$precision.json") >> "$out/setup240.log" 2>&1
    log "set-up of 240 tasks ($precision) exited with $? after $((SECONDS - started)) s"
  done
else
  log "sgprs_live_bench not built: see build.log"
fi

echo "--- summary ($((SECONDS - started)) s)"
grep -E '^\[  (PASSED|FAILED) ' "$out/tests.log"
grep -E 'end->|launch\(\)|units/s|clock:' "$out/completion.log" 2>/dev/null
cat "$out/setup240.log" 2>/dev/null
exit 0
