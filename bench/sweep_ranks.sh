#!/usr/bin/env bash
# Benchmark of the MPI sweep: bench/experiments/sweep-100k-short-runs.json (100,000 runs of a few
# ms) with 1 MPI rank, then with K ranks; prints each one's wall and CPU time (user + sys of every
# rank), the speed-up, the machine's load average around each, and checks that both runs.csv and
# summary.csv are byte-identical.
#
#   bench/sweep_ranks.sh [BUILD_DIR] [K] [CONFIG]      # defaults: build, 2, the 100k experiment
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
ranks="${2:-2}"
config="${3:-bench/experiments/sweep-100k-short-runs.json}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
flags=(--oversubscribe)
[[ "$(id -u)" == 0 ]] && flags+=(--allow-run-as-root)
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_btl=self,vader

declare -A wall
for k in 1 "$ranks"; do
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  TIMEFORMAT="%R %U %S"
  { time mpirun "${flags[@]}" -n "$k" "$build/sgprs" sweep --config "$config" --out "$out/r$k" --no-plots --quiet \
      2> "$out/r$k.err"; } 2> "$out/r$k.time"
  read -r real user sys < "$out/r$k.time"
  wall[$k]=$real
  printf '%d rank(s): %s s wall, %.1f s CPU (all ranks), load average %s before, %s after; %s\n' "$k" "$real" \
    "$(awk "BEGIN {print $user + $sys}")" "$load_before" "$(cut -d' ' -f1 /proc/loadavg)" "$(grep -o '[0-9]* runs (.*s ->' "$out/r$k.err")"
done
cmp "$out/r1/runs.csv" "$out/r$ranks/runs.csv" && cmp "$out/r1/summary.csv" "$out/r$ranks/summary.csv"
printf 'speed-up with %d ranks: %.2fx; runs.csv and summary.csv identical\n' "$ranks" "$(awk "BEGIN {print ${wall[1]} / ${wall[$ranks]}}")"
