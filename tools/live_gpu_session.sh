#!/usr/bin/env bash
# The live mode on a GPU machine in one call (about 8 minutes on the H200): build sgprs with
# CUDA (sm_90), the live executor's GPU tests, the completion-noticing benchmark, then periodic
# ResNet-18 at 30 Hz (D = T) for N tasks in $NS under three schedulers, live:
#   streams      what PyTorch users run: 16 plain streams, whole-model graphs, skip-late
#   sgprs-paper  SGPRS as published on equal:2:1.0x (paper slots: max_parallel 3)
#   sgprs-tuned  sgprs on equal:2:1.0x, 8 slots each, EDF waiting, slot-aware F(p), skip-late
# and PyTorch itself (tools/torch_periodic.py) on the same N, same precision, same machine.
#
#   OUT=... PROFILE=traces/profiles/h200-tf32.json NS="150 180 210" tools/live_gpu_session.sh
#
# Writes under $OUT: session.log, tests.log, completion.json, live_runs.jsonl (one summary.json
# per line, with its scheduler and N), torch_periodic.json, live_logs.tar.gz (build log, every
# live summary, one heavy run's events.jsonl). Keeps going past failures; stops starting runs
# when less than a minute of its 560-s budget is left.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${OUT:-$root/out}"
mkdir -p "$out"
scratch="$(mktemp -d)"
profile="${PROFILE:-traces/profiles/h200-tf32.json}"
[[ -f "$root/$profile" ]] || profile="traces/profiles/h200-fp32.json"
ns="${NS:-150 180 210}"
duration="${DURATION:-4}"
budget="${BUDGET:-560}"
started=$SECONDS
log() { echo "[live_gpu_session $(date -u +%H:%M:%S) +$((SECONDS - started))s] $*" | tee -a "$out/session.log" >&2; }
left() { echo $((budget - (SECONDS - started))); }

source "$root/tools/gpu_build_env.sh"
build=/tmp/sgprs-build-live-session
jobs="$(nproc)"
log "profile $profile, N in {$ns}, ${duration} s per run"
configure_sgprs "$build" ON > "$scratch/build.log" 2>&1
cmake --build "$build" -j "$jobs" --target sgprs sgprs_live_device_test sgprs_live_bench >> "$scratch/build.log" 2>&1 \
  || log "BUILD FAILED (see build.log in live_logs.tar.gz)"
log "build done"
tail -30 "$scratch/build.log" >> "$out/session.log"
sgprs="$build/sgprs"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,power.draw --format=csv >> "$out/session.log" 2>&1

bin="$(find "$build" -name sgprs_live_device_test -type f | head -1)"
[[ -n "$bin" ]] && (cd "$root" && timeout 150 "$bin") > "$out/tests.log" 2>&1
log "live GPU tests: $(grep -c '^\[       OK' "$out/tests.log" 2>/dev/null) passed, $(grep -c '^\[  FAILED  \] [A-Za-z]' "$out/tests.log" 2>/dev/null) failed"
bench="$(find "$build" -name sgprs_live_bench -type f | head -1)"
[[ -n "$bench" ]] && (cd "$root" && timeout 60 "$bench" --seconds 2 --out "$out/completion.json") > "$scratch/completion.log" 2>&1
log "completion bench: $(grep -cE 'end->' "$scratch/completion.log" 2>/dev/null) lines"; grep -E 'end->|launch\(\)' "$scratch/completion.log" >> "$out/session.log" 2>/dev/null

precision="$(python3 -c "import json,sys; d=json.load(open('$root/$profile')); print(d.get('precision', 'fp16' if d.get('dtype')=='fp16' else 'fp32'))")"
(cd "$root" && timeout 60 "$sgprs" live --profile "$profile" --duration 3 --out "$scratch/smoke" --quiet) >> "$out/session.log" 2>&1
log "smoke run (shipped default) exited with $?"

: > "$out/live_runs.jsonl"
for n in $ns; do
  ts="$scratch/ts$n.json"
  echo "{\"schema\": \"sgprs.taskset/1\", \"name\": \"resnet18-30hz-$n\", \"tasks\": [{\"name\": \"r\", \"model\": \"resnet18\", \"rate_hz\": 30, \"offset_ns\": \"random\", \"count\": $n}]}" > "$ts"
  for cfg in ${CONFIGS:-streams sgprs-paper sgprs-tuned}; do
    if (( $(left) < 60 )); then log "skipping $cfg N=$n: $(left) s left"; continue; fi
    case "$cfg" in
      streams) args=(--scheduler streams --layout full) ;;
      sgprs-paper) args=(--scheduler sgprs --layout equal:2:1.0x) ;;
      sgprs-tuned) args=(--scheduler sgprs --layout equal:2:1.0x --max-parallel 8 --waiting-order edf
                         --completion-estimate parallel --overrun skip-late) ;;
    esac
    events=(--no-events); [[ "$n" == "${ns##* }" && "$cfg" == sgprs-tuned ]] && events=()
    (cd "$root" && timeout -k 10 60 "$sgprs" live --taskset "$ts" --profile "$profile" --duration "$duration" \
       "${args[@]}" "${events[@]}" --quiet --out "$scratch/$cfg-$n") > "$scratch/$cfg-$n.log" 2>&1
    status=$?
    tail -5 "$scratch/$cfg-$n.log" >> "$out/session.log"
    log "live $cfg N=$n exited $status: $(grep '^total' "$scratch/$cfg-$n.log")"
    grep -E '^live:|^  (release|decision|gpu_end)' "$scratch/$cfg-$n.log" >> "$out/session.log"
    [[ -f "$scratch/$cfg-$n/summary.json" ]] && python3 -c "
import json; d=json.load(open('$scratch/$cfg-$n/summary.json')); d['config']='$cfg'; d['tasks_n']=$n; print(json.dumps(d))" >> "$out/live_runs.jsonl"
  done
done

if (( $(left) > 40 )); then
  (cd "$root" && timeout $(( $(left) - 20 )) python3 tools/torch_periodic.py --tasks $ns --rate 30 --streams 16 \
     --seconds "$duration" --precision "$precision" --out "$out/torch_periodic.json") >> "$out/session.log" 2>&1
  log "torch_periodic exited with $?"
fi
tar -czf "$out/live_logs.tar.gz" -C "$scratch" . 2>/dev/null
log "done"
exit 0
