#!/usr/bin/env bash
# One GPU session that measures the TF32 and fp16 profiles and compares them with PyTorch, in
# under 9 minutes on an H200 (16 cores, CUDA 13). Run from the repository root:
#
#   OUT=/where/results/go tools/gpu_profiles_session.sh
#
# Steps (each timed; a failing step is reported and the next one still runs):
#   1. build the profiler and its GPU tests (tools/profile_gpu.sh, Release, sm_90), while PyTorch
#      measures its side on the idle GPU (tools/torch_compare.py: tf32, fp16, then fp32 if time
#      allows; the build only uses the CPU)
#   2. the profiler's and the op library's GPU tests
#   3. <gpu>-tf32.json and <gpu>-fp16.json: six models and every op at every SM count, isolated
#      and occupied (the fp32 profile took 124 s of measurement on the H200)
#   4. the comparison tables against the new profiles (and the shipped strict one for fp32), and
#      the share of unconverged points of every profile
# Results under $OUT (8 files at most, none in sub-folders): session.log, <gpu>-tf32.json,
# <gpu>-fp16.json, torch_compare.csv, torch_compare.md, convergence.txt, logs.tar.gz (build,
# tests, profile and PyTorch logs, nvidia-smi). Exit status: the number of failed steps.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${OUT:-$root/out}"
mkdir -p "$out"
scratch="$(mktemp -d /tmp/sgprs-session.XXXXXX)"
models="resnet18,resnet50,mobilenet_v2,unet,vit_b16,inception_v3"
torch_models="resnet18,resnet50,mobilenet_v2,inception_v3,vit_b16"
started=$SECONDS
deadline=${DEADLINE_S:-560}  # s from the start: a 10-minute device call, with room to pack the logs
failed=()
left() { echo $((deadline - (SECONDS - started))); }
log() { echo "[session $(date -u +%H:%M:%S) +$((SECONDS - started))s] $*" | tee -a "$out/session.log" >&2; }
step() {  # step NAME COMMAND...: runs it, logs its time and status
  local name="$1" t0=$SECONDS
  shift
  log "start: $name"
  "$@"
  local status=$?
  if ((status == 0)); then log "done: $name ($((SECONDS - t0)) s)"; else log "FAILED: $name (status $status, $((SECONDS - t0)) s)"; failed+=("$name"); fi
  return $status
}
export SGPRS_SOURCE_COMMIT="${SGPRS_SOURCE_COMMIT:-$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)}"
log "commit $SGPRS_SOURCE_COMMIT, results in $out, scratch $scratch"
gpu="$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 | grep -oiE '[A-Z][0-9]{2,4}' | head -1 | tr 'A-Z' 'a-z')"
gpu="${gpu:-gpu}"
nvidia-smi > "$scratch/gpu.txt" 2>&1
nvidia-smi -q -d CLOCK,PERFORMANCE,POWER,TEMPERATURE >> "$scratch/gpu.txt" 2>&1

# --- 1. build, while PyTorch measures ------------------------------------------------------------
# PyTorch's times do not depend on the profiles: measure them now, compare later (step 4).
torch_budget=150  # s; whatever it measured by then is kept
if python3 -c "import torch, torchvision" 2>/dev/null; then
  log "start: PyTorch measurements (tf32, fp16, fp32; at most ${torch_budget} s, beside the build)"
  timeout "$torch_budget" python3 "$root/tools/torch_compare.py" --precisions tf32,fp16,fp32 --models "$torch_models" \
    --out "$scratch/torch" > "$scratch/torch.log" 2>&1 &
  torch_pid=$!
else
  log "FAILED: PyTorch measurements (python3 cannot import torch and torchvision)"
  failed+=("torch measurements")
  torch_pid=""
fi
step "build" env OUT="$scratch/build" BUILD_ONLY=1 JOBS="$(( $(nproc) > 4 ? $(nproc) - 2 : $(nproc) ))" \
  "$root/tools/profile_gpu.sh"
if [[ -n "$torch_pid" ]]; then
  wait "$torch_pid"
  status=$?
  if ((status == 0)); then log "done: PyTorch measurements"
  elif ((status == 124)); then log "PyTorch measurements cut at ${torch_budget} s: the tables hold what was measured"
  else log "FAILED: PyTorch measurements (status $status; see torch.log)"; failed+=("torch measurements"); fi
fi

# --- 2. GPU tests ---------------------------------------------------------------------------------
step "GPU tests" env OUT="$scratch/tests" TESTS_ONLY=1 timeout 90 "$root/tools/profile_gpu.sh"
grep -hE '^\[  (PASSED|FAILED)' "$scratch/tests/tests.log" 2>/dev/null | sort | uniq -c | while read -r line; do log "tests: $line"; done

# --- 3. profiles ----------------------------------------------------------------------------------
# tf32 first: it is the one the simulator will default to. Each gets what time is left, but no
# more than 240 s (the fp32 profile took 124 s); a profile cut short writes no file.
for precision in tf32 fp16; do
  name="$gpu-$precision"
  budget=$(( $(left) < 240 ? $(left) : 240 ))
  if ((budget < 60)); then
    log "FAILED: profile $name (only $budget s left before the deadline; not started)"
    failed+=("profile $name")
    continue
  fi
  step "profile $name (at most $budget s)" env OUT="$scratch/$precision" SKIP_TESTS=1 NO_PLOT=1 NAME="$name" \
    timeout "$budget" "$root/tools/profile_gpu.sh" "$precision" --models "$models" --keep-going
  [[ -f "$scratch/$precision/$name.json" ]] && cp "$scratch/$precision/$name.json" "$out/"
  grep -E "points|wrote|warning|exited" "$scratch/$precision/profile-$name.log" 2>/dev/null | tail -5 |
    while read -r line; do log "  $line"; done
done

# --- 4. comparison tables and convergence ---------------------------------------------------------
if [[ -f "$scratch/torch/torch_compare.json" ]]; then
  profiles=()
  for precision in tf32 fp16; do
    [[ -f "$out/$gpu-$precision.json" ]] && profiles+=(--profile "$precision=$out/$gpu-$precision.json")
  done
  [[ -f "$root/traces/profiles/$gpu-fp32.json" ]] && profiles+=(--profile "fp32=$root/traces/profiles/$gpu-fp32.json")
  step "comparison tables" python3 "$root/tools/torch_compare.py" --measured "$scratch/torch/torch_compare.json" \
    "${profiles[@]}" --out "$out"
else
  log "FAILED: comparison tables (no PyTorch measurements)"
  failed+=("comparison tables")
fi
convergence=("$root/traces/profiles/$gpu-fp32.json")
for precision in tf32 fp16; do [[ -f "$out/$gpu-$precision.json" ]] && convergence+=("$out/$gpu-$precision.json"); done
convergence_report() { python3 "$root/tools/profile_convergence.py" "${convergence[@]}" > "$out/convergence.txt" 2>&1; }
step "convergence report" convergence_report
(cd "$scratch" && tar -czf "$out/logs.tar.gz" --ignore-failed-read gpu.txt torch.log build/build.log tests/build.log \
   tests/tests.log tf32/profile-*.log fp16/profile-*.log tf32/build.log fp16/build.log 2>/dev/null)

if ((${#failed[@]} == 0)); then log "all steps passed in $((SECONDS - started)) s"
else log "${#failed[@]} step(s) failed: ${failed[*]} ($((SECONDS - started)) s)"; fi
exit "${#failed[@]}"
