#!/usr/bin/env bash
# Byte-identity check between two builds of `sgprs`: runs the same simulations and sweeps with both
# and compares every output file byte for byte. For performance work, which must not change a result.
# Cases: the shipped defaults of `simulate` (events.jsonl, timeline.json, summary.json), an overloaded
# run under every scheduler and under the options that change the hot path (waiting orders,
# completion estimates, abort, interference, an overlapping layout, the packed sharing rule), the
# tests' synthetic inputs, and the experiments of tests/data/experiments plus a short random-mix sweep
# (runs.csv, summary.csv, sweep.json).
#
#   bench/compare_builds.sh OLD_SGPRS NEW_SGPRS        # exit 0 when every file is identical
set -euo pipefail
cd "$(dirname "$0")/.."
old="$(realpath "$1")"
new="$(realpath "$2")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
differ=0
files=0

# An overloaded mix (ResNet-18 at 30 Hz, 220 tasks: past the bound of 2 partitions) and a DAG mix.
cat >"$work/overload.json" <<'EOF'
{"schema": "sgprs.taskset/1", "name": "overload",
 "tasks": [{"name": "r", "model": "resnet18", "rate_hz": 30, "offset_ns": "random", "count": 220}]}
EOF
cat >"$work/mix.json" <<'EOF'
{"schema": "sgprs.taskset/1", "name": "mix",
 "tasks": [{"name": "r18", "model": "resnet18", "rate_hz": 60, "offset_ns": "random", "count": 40},
           {"name": "r50", "model": "resnet50", "rate_hz": 20, "offset_ns": "random", "count": 20, "priority": "high"},
           {"name": "mb", "model": "mobilenet_v2", "rate_hz": 45, "offset_ns": "random", "count": 40}]}
EOF
sed 's/"duration_s": 5/"duration_s": 0.5/; s/"repetitions": 10/"repetitions": 2/; s#"\.\./#"'"$PWD"'/traces/#g' \
  traces/experiments/random-mix.json >"$work/random-mix-short.json"

same_but_wall_time() {  # OLD NEW: identical but for the "command" and "wall_time_s" lines
  cmp -s <(grep -v '"command":\|"wall_time_s":' "$1") <(grep -v '"command":\|"wall_time_s":' "$2")
}

compare_dir() {  # NAME: every file of old/NAME against new/NAME
  local name="$1" f
  for f in $(cd "$work/old/$name" && find . -type f | sort); do
    files=$((files + 1))
    if [[ $f == */sweep.json || $f == */summary.json ]]; then  # they name the command line and wall time
      same_but_wall_time "$work/old/$name/$f" "$work/new/$name/$f" && continue
    elif cmp -s "$work/old/$name/$f" "$work/new/$name/$f"; then
      continue
    fi
    echo "DIFFERS: $name/$f"
    differ=1
  done
}

simulate_case() {  # NAME ARGS...
  local name="$1"
  shift
  for side in old new; do
    local bin="$old"
    [[ $side == new ]] && bin="$new"
    "$bin" simulate --quiet --out "$work/$side/$name" "$@" >/dev/null
  done
  compare_dir "$name"
}

sweep_case() {  # NAME CONFIG
  for side in old new; do
    local bin="$old"
    [[ $side == new ]] && bin="$new"
    "$bin" sweep --quiet --no-plots --jobs 2 --config "$2" --out "$work/$side/$1" >/dev/null 2>&1
  done
  compare_dir "$1"
}

simulate_case default
simulate_case default-d3 --duration 3 --seed 7
for s in sgprs naive sequential static streams; do
  simulate_case "overload-$s" --taskset "$work/overload.json" --scheduler "$s" --duration 2
done
simulate_case overload-parallel --taskset "$work/overload.json" --completion-estimate parallel --duration 2
simulate_case overload-edf --taskset "$work/overload.json" --waiting-order edf --duration 2
simulate_case overload-slack --taskset "$work/overload.json" --waiting-order least-slack --layout stepwise:3:1.5x --duration 2
simulate_case overload-jobedf --taskset "$work/overload.json" --waiting-order job-edf --max-parallel 4 --duration 2
simulate_case overload-abort --taskset "$work/overload.json" --miss-policy abort --duration 2
simulate_case overload-abort-static --taskset "$work/overload.json" --miss-policy abort --scheduler static --duration 2
simulate_case overload-abort-naive --taskset "$work/overload.json" --miss-policy abort --scheduler naive --duration 2
simulate_case overload-skip --taskset "$work/overload.json" --overrun skip-late --layout equal:3:2.0x --duration 2
simulate_case overload-occupied --taskset "$work/overload.json" --gpu-times occupied --estimates isolated --duration 2
simulate_case overload-interference --taskset "$work/overload.json" --interference profile --layout equal:3:1.0x --duration 2
simulate_case overload-interference-static --taskset "$work/overload.json" --interference profile --scheduler static \
  --layout stepwise:3:1.5x --duration 2
# The packed sharing rule (calibration beside the shipped profile): whole models sharing the GPU,
# several stages sharing a partition, and with interference.
for s in streams naive sgprs; do
  simulate_case "overload-packed-$s" --taskset "$work/overload.json" --sharing packed --scheduler "$s" --max-parallel 4 \
    --duration 2
done
simulate_case overload-packed-interference --taskset "$work/overload.json" --sharing packed --interference profile \
  --layout equal:3:1.0x --max-parallel 3 --duration 2
simulate_case mix-packed-streams --taskset "$work/mix.json" --sharing packed --scheduler streams --duration 2
# sgprs-best's late binding (its pool-wide queue), with the drop of hopeless stages, moldable blocks and
# reserved slots.
simulate_case overload-best --taskset "$work/overload.json" --scheduler sgprs-best --layout full --duration 2
simulate_case overload-best-eq2 --taskset "$work/overload.json" --scheduler sgprs-best --layout equal:2:1.0x --duration 2
simulate_case mix-best --taskset "$work/mix.json" --scheduler sgprs-best --layout full --duration 2
simulate_case mix-best-moldable --taskset "$work/mix.json" --scheduler sgprs-best --option slot_sms=moldable \
  --layout equal:2:1.0x --duration 2
simulate_case mix-best-reserve --taskset "$work/mix.json" --scheduler sgprs-best --option reserve_slots=2 \
  --option waiting_order=edf --option priority_first=off --duration 2
simulate_case mix --taskset "$work/mix.json" --duration 2 --layout stepwise:3:1.0x
simulate_case mix-parallel --taskset "$work/mix.json" --duration 2 --completion-estimate parallel --scan-order ascending-sms
simulate_case mix-abort --taskset "$work/mix.json" --duration 2 --miss-policy abort --waiting-order edf
simulate_case mix-linear --taskset "$work/mix.json" --duration 2 --curve linear --layout equal:2:2.0x

test_data=(--profile tests/data/sim/profile.json --models tests/data/sim/models)
for ts in small bench deferral; do
  for s in sgprs naive sequential static streams; do
    simulate_case "test-$ts-$s" "${test_data[@]}" --taskset "tests/data/sim/taskset-$ts.json" --scheduler "$s" \
      --duration 0.2
  done
  simulate_case "test-$ts-overlap" "${test_data[@]}" --taskset "tests/data/sim/taskset-$ts.json" \
    --layout tests/data/sim/layout-overlap.json --duration 0.2
  simulate_case "test-$ts-overlap-abort" "${test_data[@]}" --taskset "tests/data/sim/taskset-$ts.json" \
    --layout tests/data/sim/layout-overlap.json --miss-policy abort --completion-estimate parallel --duration 0.2
done
simulate_case test-deadline-over-period "${test_data[@]}" --taskset tests/data/sim/taskset-deadline-over-period.json \
  --allow-deadline-over-period --duration 0.2

for e in identical random many-short-runs; do
  sweep_case "sweep-$e" "tests/data/experiments/$e.json"
done
sweep_case sweep-random-mix-short "$work/random-mix-short.json"

echo "$files files compared: $( ((differ == 0)) && echo 'all identical' || echo 'SOME DIFFER')"
exit "$differ"
