#!/usr/bin/env bash
# After a change to the op library: measure the profile again and the live runs that depend on it,
# in one GPU call (about 9 minutes on the H200), so that the simulator and `sgprs validate` describe
# the kernels that run.
#   1. build sgprs and the op library's tests; the op tests (every op against its CPU reference)
#   2. `sgprs profile` of each of PRECISION (default tf32; "fp16 fp32" measures both, about 190 s
#      each on the H200), six models, every SM count, isolated and occupied; each new profile replaces
#      traces/profiles/<gpu>-<precision>.json in this (travelling) tree, so the live runs below plan
#      with it; PROFILE_ONLY=1 stops here
#   3. tools/gpu_validation_session.sh: periodic runs for validation, closed-loop calibration (streams
#      1-32, disjoint partitions) and interference runs
#   4. tools/gpu_policy_session.sh PARTS=overload: ResNet-18 at 30 Hz around the edge (OVERLOAD_N,
#      OVERLOAD_RUNS), PyTorch with 32 streams at the same N
#
#   OUT=... tools/gpu_reprofile_session.sh        on the GPU machine
#
# Writes under $OUT (7 files with one precision): session.log (every step's log), <gpu>-<precision>.json, opstests.log,
# validation-calibration.tar and validation-periodic.tar (the validation session's archives),
# overload.tar (the policy session's), profile-<precision>.log.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${OUT:-$root/out}"
mkdir -p "$out"
scratch="$(mktemp -d /tmp/sgprs-reprofile.XXXXXX)"
precisions="${PRECISION:-tf32}"
build=/tmp/sgprs-build-policy
started=$SECONDS
log() { echo "[gpu_reprofile_session $(date -u +%H:%M:%S) +$((SECONDS - started))s] $*" | tee -a "$out/session.log" >&2; }
export SGPRS_SOURCE_COMMIT="${SGPRS_SOURCE_COMMIT:-$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)}"
gpu="$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 | grep -oiE '[A-Z][0-9]{2,4}' | head -1 | tr 'A-Z' 'a-z')"
gpu="${gpu:-gpu}"

# 1. build + op tests (the policy session builds into $build)
OUT="$scratch/ops" BUILD="$build" PARTS=opstests BUDGET=200 bash "$root/tools/gpu_policy_session.sh"
cat "$scratch/ops/session.log" >> "$out/session.log"
cp "$scratch/ops/opstests.log" "$out/" 2>/dev/null
[[ -x "$build/sgprs" ]] || { log "no sgprs binary; stopping"; exit 1; }

# 2. the profiles (PRECISION may name several: "fp16 fp32")
for precision in $precisions; do
  name="$gpu-$precision"
  t0=$SECONDS
  (cd "$root" && timeout "${PROFILE_BUDGET:-260}" "$build/sgprs" profile --precision "$precision" \
    --models resnet18,resnet50,mobilenet_v2,unet,vit_b16,inception_v3 --keep-going --out "$scratch/$name.json") \
    > "$out/profile-$precision.log" 2>&1
  log "profile $name exited $? in $((SECONDS - t0)) s: $(grep -E 'points|wrote' "$out/profile-$precision.log" | tail -2 | tr '\n' ' ')"
  if [[ -f "$scratch/$name.json" ]]; then
    cp "$scratch/$name.json" "$out/"
    cp "$scratch/$name.json" "$root/traces/profiles/$name.json"
  fi
done
if [[ -n "${PROFILE_ONLY:-}" ]]; then log "done in $((SECONDS - started)) s (profiles only)"; exit 0; fi

# 3. validation, calibration and interference runs (planned with the new profile)
OUT="$scratch/validation" SGPRS="$build/sgprs" BUDGET="${VALIDATION_BUDGET:-150}" bash "$root/tools/gpu_validation_session.sh"
cat "$scratch/validation/session.log" >> "$out/session.log"
# two archives: one holding everything came to 18 MB, over the 16 MiB a file may have to come back
(cd "$scratch/validation" && tar -cf "$out/validation-calibration.tar" calibration-*.tar.xz &&
 tar -cf "$out/validation-periodic.tar" --exclude='calibration-*.tar.xz' .)

# 4. around the edge, next to PyTorch
left=$(( ${DEADLINE_S:-570} - (SECONDS - started) ))
if ((left > 60)); then
  OUT="$scratch/overload" BUILD="$build" PARTS=overload BUDGET=$((left - 15)) \
    OVERLOAD_N="${OVERLOAD_N:-205 210 215}" OVERLOAD_RUNS="${OVERLOAD_RUNS:-streams32 best-on best-slot}" \
    bash "$root/tools/gpu_policy_session.sh"
  cat "$scratch/overload/session.log" >> "$out/session.log"
  rm -f "$scratch/overload/session.log"
  tar -C "$scratch/overload" -cf "$out/overload.tar" .
else
  log "no time left for the overload runs ($left s)"
fi
log "done in $((SECONDS - started)) s"
