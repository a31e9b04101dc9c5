#!/usr/bin/env bash
# Live runs for `sgprs validate` and the GPU model, in one GPU call (about 3 minutes on the H200):
#   1. periodic runs with full event logs (the inputs of validation): ResNet-18 at 30 Hz (D = T) and the
#      shipped mixed task set (traces/tasksets/mixed-deadlines.json, at 2x and 3x its counts), under
#      streams, sgprs as published and sgprs tuned;
#   2. closed-loop calibration: every stream or partition busy back to back with ResNet-18 (a period
#      shorter than any inference, released again as soon as the previous job ends): whole-GPU streams
#      1, 2, 4, 8, 16, 32 (CALIBRATION_STREAMS) and disjoint partitions 2x64, 4x32, 8x16, 15x8 SMs, one task pinned to each;
#   3. interference: 15x8 SMs with 1, 4 and 8 of the 15 partitions busy (15 is in 2.), so a stage's
#      time can be read against how many SMs are busy elsewhere.
#
#   OUT=... tools/gpu_validation_session.sh            on the GPU machine (builds sgprs with CUDA)
#   OUT=... FAKE=1 SGPRS=build/sgprs tools/gpu_validation_session.sh   here: the fake device, no build
#   OUT=... SGPRS=/tmp/build/sgprs tools/gpu_validation_session.sh       on the GPU machine, a CUDA build made before
#   SKIP_VALIDATION=1 leaves out part 1; SKIP_PARTITIONS=1 the partitions of parts 2 and 3; CALIBRATION_MODELS
#   (default resnet18) the models of the closed-loop streams runs (`mixed`: the six shipped models in turn;
#   `a+b`: models a and b in turn, e.g. mobilenet_v2+unet, whose slowdown beside each other
#   `tools/fit_sharing_contention.py --by-model` prints), each at CALIBRATION_STREAMS (default
#   1 2 4 8 16 32) streams, named streams<k>-<model> but for ResNet-18's (tools/fit_sharing_contention.py
#   on one model's runs fits that model's g(k)); LIVE_ARGS adds flags to every `sgprs live` run, e.g. on a card other
#   than the H200: LIVE_ARGS="--profile traces/profiles/h100-tf32.json" (the card's own profile; `sgprs live`
#   refuses another GPU's); CALIBRATION_PRIORITIES=1 gives the models of an a+b run deadline-monotonic stream
#   priorities, a most urgent (deadline 50 us, b 100 us, ...: every job misses, only the order matters), named
#   streams<k>-<models>-dm: how the block scheduler splits the GPU between priorities, for the strict rule
#   (simulator/sim/priority_sharing.hpp)
#
# Writes under $OUT: session.log, runs.jsonl (each run's summary.json on one line, with its name),
# validation-{r18,mix2,mix3}.tar.xz and calibration-{streams,partitions}.tar.xz (each run's folder:
# summary.json, events.jsonl, stdout.txt, and the task set and layout files it used), inputs.tar.xz. Stops starting runs when less than 15 s of $BUDGET (200) is left.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${OUT:-$root/out}"
mkdir -p "$out"
runs="$(mktemp -d)"
budget="${BUDGET:-200}"
run_s="${RUN_SECONDS:-2}"
started=$SECONDS
log() { echo "[gpu_validation_session $(date -u +%H:%M:%S) +$((SECONDS - started))s] $*" | tee -a "$out/session.log" >&2; }
left() { echo $((budget - (SECONDS - started))); }

device=()
if [[ -n "${FAKE:-}" ]]; then
  sgprs="${SGPRS:-$root/build/sgprs}"
  device=(--fake-device)
elif [[ -n "${SGPRS:-}" ]]; then  # a CUDA build made earlier in the same call
  sgprs="$SGPRS"
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,power.draw --format=csv >> "$out/session.log" 2>&1
else
  source "$root/tools/gpu_build_env.sh"
  build=/tmp/sgprs-build-validation
  configure_sgprs "$build" > "$runs/build.log" 2>&1
  cmake --build "$build" -j "$(nproc)" --target sgprs >> "$runs/build.log" 2>&1 || { log "BUILD FAILED"; tail -40 "$runs/build.log" >> "$out/session.log"; }
  sgprs="$build/sgprs"
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,power.draw --format=csv >> "$out/session.log" 2>&1
fi
log "sgprs: $sgprs ${device[*]}; ${run_s} s per periodic run; budget ${budget} s"
: > "$out/runs.jsonl"

source "$root/tools/host_note.sh"
live_args=()
read -ra live_args <<< "${LIVE_ARGS:-}"  # split once, into every run's flags
# live NAME GROUP SECONDS TASKSET LAYOUT SCHEDULER-ARGS...: one live run into $runs/GROUP/NAME.
live() {
  local name="$1" group="$2" seconds="$3" taskset="$4" layout="$5"
  shift 5
  if (( $(left) < 15 )); then log "skipped $name: $(left) s left"; return; fi
  local dir="$runs/$group/$name"
  mkdir -p "$dir"
  cp "$taskset" "$dir/taskset.json"
  [[ -f "$layout" ]] && cp "$layout" "$dir/layout.json"
  (cd "$root" && timeout -k 5 $(( $(left) < 40 ? $(left) : 40 )) "$sgprs" live "${device[@]}" --taskset "$taskset" \
      --layout "$layout" --duration "$seconds" --quiet --out "$dir" "$@" "${live_args[@]}") > "$dir/stdout.txt" 2>&1
  local status=$?
  log "$group/$name exited $status: $(grep -E '^total' "$dir/stdout.txt" | sed 's/.*aborted; //')$(host_note "$dir")"
  [[ $status != 0 ]] && tail -3 "$dir/stdout.txt" >> "$out/session.log"
  [[ -f "$dir/summary.json" ]] && python3 -c "
import json; d = json.load(open('$dir/summary.json')); d['run'] = '$group/$name'; print(json.dumps(d))" >> "$out/runs.jsonl"
  rm -f "$dir/timeline.json"  # rebuilt by `sgprs validate` from events.jsonl
}

# Task sets and layouts made here, so that every run's inputs travel with its log.
inputs="$runs/inputs"
mkdir -p "$inputs"
model_tasks() {  # MODEL N RATE_HZ FILE
  echo "{\"schema\": \"sgprs.taskset/1\", \"name\": \"$1-$3hz-$2\", \"tasks\": [{\"name\": \"r\", \"model\": \"$1\", \"rate_hz\": $3, \"offset_ns\": \"random\", \"count\": $2}]}" > "$4"
}
resnet18_tasks() { model_tasks resnet18 "$@"; }  # N RATE_HZ FILE
mixed_tasks() {  # MODELS N RATE_HZ FILE: N tasks, MODELS (a+b+...) in turn
  python3 -c "
import json; models = '$1'.split('+')
tasks = [{'name': '%s%d' % (models[i % len(models)][:3], i), 'model': models[i % len(models)], 'rate_hz': $3, 'offset_ns': 'random'} for i in range($2)]
if '${CALIBRATION_PRIORITIES:-}':
    for i, t in enumerate(tasks): t['deadline_ns'] = 50000 * (1 + i % len(models))
json.dump({'schema': 'sgprs.taskset/1', 'name': '$1-$3hz-$2', 'tasks': tasks}, open('$4', 'w'), indent=1)"
}
scaled_mix() {  # FACTOR FILE
  python3 -c "
import json; d = json.load(open('$root/traces/tasksets/mixed-deadlines.json')); k = $1
for t in d['tasks']: t['count'] = max(1, round(t['count'] * k))
d['name'] += '-x$1'; json.dump(d, open('$2', 'w'), indent=1)"
}
uniform_layout() {  # COUNT SMS FILE: COUNT disjoint partitions of SMS each, one stage at a time
  python3 -c "
import json; json.dump({'schema': 'sgprs.layout/1', 'name': '$1x$2', 'max_parallel': 1,
  'partitions': [{'name': 'p%d' % i, 'sms': $2} for i in range($1)]}, open('$3', 'w'), indent=1)"
}

tuned=(--scheduler sgprs --max-parallel 8 --waiting-order edf --completion-estimate parallel --overrun skip-late)
# 1. Validation runs (periodic, full logs).
resnet18_tasks 150 30 "$inputs/r150.json"
resnet18_tasks 120 30 "$inputs/r120.json"
scaled_mix 2 "$inputs/mix2.json"
scaled_mix 3 "$inputs/mix3.json"
if [[ -z "${SKIP_VALIDATION:-}" ]]; then
live r18-150-streams validation "$run_s" "$inputs/r150.json" full --scheduler streams
live r18-150-sgprs-tuned validation "$run_s" "$inputs/r150.json" equal:2:1.0x "${tuned[@]}"
live r18-120-sgprs-paper validation "$run_s" "$inputs/r120.json" equal:2:1.0x --scheduler sgprs
live mix2-streams16 validation "$run_s" "$inputs/mix2.json" full --scheduler streams
live mix2-streams32 validation "$run_s" "$inputs/mix2.json" full --scheduler streams --streams 32
live mix2-sgprs-tuned validation "$run_s" "$inputs/mix2.json" equal:2:1.0x "${tuned[@]}"
live mix2-sgprs-paper validation "$run_s" "$inputs/mix2.json" equal:2:1.0x --scheduler sgprs
live mix3-streams32 validation "$run_s" "$inputs/mix3.json" full --scheduler streams --streams 32
live mix3-sgprs-tuned validation "$run_s" "$inputs/mix3.json" equal:2:1.0x "${tuned[@]}"

fi

# 2. Closed-loop calibration: a 100-us period with release-late re-releases each task when its job ends.
closed=(--overrun release-late --allow-deadline-over-period)
for model in ${CALIBRATION_MODELS:-resnet18}; do
  suffix=""; [[ $model != resnet18 ]] && suffix="-$model"  # ResNet-18's runs keep their names
  priorities=()
  [[ -n "${CALIBRATION_PRIORITIES:-}" ]] && { suffix="$suffix-dm"; priorities=(--stream-priorities deadline-monotonic); }
  models="$model"; [[ $model == mixed ]] && models=resnet18+mobilenet_v2+resnet50+inception_v3+vit_b16+unet
  for s in ${CALIBRATION_STREAMS:-1 2 4 8 16 32}; do  # 32: the stream count the periodic runs use
    if [[ $models == *+* ]]; then mixed_tasks "$models" "$s" 10000 "$inputs/closed$s$suffix.json"
    else model_tasks "$models" "$s" 10000 "$inputs/closed$s$suffix.json"; fi
    live "streams$s$suffix" calibration 1 "$inputs/closed$s$suffix.json" full --scheduler streams --streams "$s" "${closed[@]}" "${priorities[@]}"
  done
done
[[ -n "${SKIP_PARTITIONS:-}" ]] || for shape in 2x64 4x32 8x16 15x8; do
  count="${shape%x*}" sms="${shape#*x}"
  uniform_layout "$count" "$sms" "$inputs/layout$shape.json"
  resnet18_tasks "$count" 10000 "$inputs/closed$count.json"
  live "partitions$shape" calibration 1 "$inputs/closed$count.json" "$inputs/layout$shape.json" --scheduler static "${closed[@]}"
done
# 3. Interference: some of the 15 8-SM partitions busy, the others idle.
[[ -n "${SKIP_PARTITIONS:-}" ]] || for busy in 1 4 8; do
  resnet18_tasks "$busy" 10000 "$inputs/busy$busy.json"
  live "busy$busy-of-15x8" calibration 1 "$inputs/busy$busy.json" "$inputs/layout15x8.json" --scheduler static "${closed[@]}"
done

# Five archives, each well under the 16 MiB a file may have when it comes back from the GPU machine.
pack() {  # ARCHIVE GROUP PATTERN
  local names=()
  names=($(cd "$runs" && ls -d $2/$3 2>/dev/null))
  ((${#names[@]})) && tar -C "$runs" -cf - "${names[@]}" | xz -6 -T0 > "$out/$1.tar.xz"
}
pack validation-r18 validation 'r18-*'
pack validation-mix2 validation 'mix2-*'
pack validation-mix3 validation 'mix3-*'
pack calibration-streams calibration 'streams*'
pack calibration-partitions calibration '[pb]*'
tar -C "$runs" -cJf "$out/inputs.tar.xz" inputs
log "done: $(wc -l < "$out/runs.jsonl") runs; $(du -sh "$out" | cut -f1) under OUT"
exit 0
