#!/usr/bin/env bash
# Benchmark of `sgprs tune`'s speed target: minutes, not hours, for a 100-task set. Runs the
# default search (168 candidates x 7 bisection steps x 2 runs of 3 simulated s) on a 99-task mixed
# set and prints the wall time, the best line, and whether it took under 10 minutes; running it
# twice with different --jobs also checks that the answer does not depend on the thread count.
#
#   bench/tune_speed.sh [BUILD_DIR] [JOBS]        # defaults: build, nproc
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
jobs="${2:-$(nproc)}"
target_s=600
start=$(date +%s%N)
best=$("$build/sgprs" tune --taskset bench/tasksets/tune-99-tasks.json --jobs "$jobs" --quiet | grep '^best:')
wall_ms=$((($(date +%s%N) - start) / 1000000))
echo "$best"
printf 'tune, 99 tasks: %d.%03d s wall on %d threads (target: under %d s): %s\n' $((wall_ms / 1000)) \
  $((wall_ms % 1000)) "$jobs" "$target_s" "$( ((wall_ms < target_s * 1000)) && echo met || echo MISSED)"
one=$("$build/sgprs" tune --taskset bench/tasksets/tune-99-tasks.json --jobs 1 --quiet | grep '^best:')
[[ "$one" == "$best" ]] && echo "same answer with --jobs 1" || { echo "DIFFERENT answer with --jobs 1: $one"; exit 1; }
