#!/usr/bin/env bash
# tools/gpu_policy_session.sh on whichever card the GPU machine has. The shipped default profile
# (traces/profiles/h200-tf32.json) is the H200's, and `sgprs live` refuses another GPU's profile. So on
# another card (the lent H100, same GH100 chip and split, slower memory) this script first measures that
# card's own tf32 profile (tools/profile_gpu.sh, about 2 minutes), computes each mixed family's throughput
# bound on it (`sgprs taskset --bound-fraction 1`, the same rule the shipped BOUNDS came from), and runs
# the session with that profile (LIVE_ARGS=--profile) and those bounds. The profile's cold-L2 and co-run
# twins exist for the H200 only, so their validations are skipped there (NO_GPU_TIMES=1); `sgprs validate`
# with the copied profile redoes the plain one afterwards.
#   OUT=... FAMILIES=heavy SCHEDULERS="..." FAMILY_FRACTIONS="..." tools/gpu_card_session.sh
# Everything tools/gpu_policy_session.sh reads passes through; BOUNDS is replaced on another card.
# A card whose profile is shipped (traces/profiles/<gpu>-tf32.json: the H100's since 2026-12-05) runs
# on that file without measuring again, saving the ~3 minutes; FRESH_PROFILE=1 measures anyway.
# Writes under $OUT what the session writes, plus card.txt and, on another card, <gpu>-tf32.json when
# measured. Here, without a GPU: CARD="NVIDIA H100 80GB HBM3" SGPRS=build/sgprs FAKE=1 tools/gpu_card_session.sh
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${OUT:?OUT must name the output folder}"
build="${BUILD:-/tmp/sgprs-build-policy}"
session_started=$SECONDS
card="${CARD:-$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)}"
echo "card: $card" | tee "$out/card.txt"
if [[ "$card" == *H200* ]]; then
  exec env BUILD="$build" bash "$root/tools/gpu_policy_session.sh"
fi

gpu="$(echo "$card" | grep -oiE '[A-Z][0-9]{2,4}' | head -1 | tr 'A-Z' 'a-z')"
shipped="$root/traces/profiles/${gpu:-gpu}-tf32.json"
started=$SECONDS
if [[ -f "$shipped" && -z "${FRESH_PROFILE:-}" ]]; then
  profile="$shipped"
  echo "using the shipped profile ${profile#$root/}" | tee -a "$out/card.txt"
  if [[ -n "${SGPRS:-}" ]]; then
    sgprs="$SGPRS"
  else
    log() { echo "[gpu_card_session] $*"; }
    source "$root/tools/gpu_build_env.sh"
    configure_sgprs "$build" > "$out/build.log" 2>&1 &&
      cmake --build "$build" -j "$(nproc)" --target sgprs >> "$out/build.log" 2>&1 ||
      { echo "sgprs did not build"; tail -20 "$out/build.log"; exit 1; }
    rm -f "$out/build.log"
    sgprs="$build/sgprs"
  fi
else
  profile_out="$(mktemp -d)"
  OUT="$profile_out" BUILD_DIR="$build" SKIP_TESTS=1 NO_PLOT=1 NAME="${gpu:-gpu}-tf32" bash "$root/tools/profile_gpu.sh" tf32 \
    --models resnet18,resnet50,mobilenet_v2,unet,vit_b16,inception_v3 --keep-going > "$profile_out/stdout.txt" 2>&1 \
    || { echo "profiling exited $?"; tail -20 "$profile_out/stdout.txt"; cp "$profile_out/build.log" "$out/" 2>/dev/null; exit 1; }
  profile="$out/${gpu:-gpu}-tf32.json"
  cp "$profile_out/${gpu:-gpu}-tf32.json" "$profile"
  echo "profiled $card in $((SECONDS - started)) s" | tee -a "$out/card.txt"
  cmake --build "$build" -j "$(nproc)" --target sgprs > /dev/null 2>&1 || { echo "sgprs did not build"; exit 1; }
  sgprs="$build/sgprs"
fi

bounds=""
for f in tight camera heavy deadlines; do  # the experiment's copy beside it, so its relative paths hold
  copy="$root/traces/experiments/.card-mixed-$f.json"
  python3 -c "
import json, sys; d = json.load(open('$root/traces/experiments/mixed-$f.json')); d['profile'] = '$profile'
json.dump(d, open('$copy', 'w'), indent=1)"
  scale=$("$sgprs" taskset --experiment "$copy" --bound-fraction 1 --out "$(mktemp)" \
          | sed -n 's/.*largest scale \([0-9.]*\).*/\1/p')
  rm -f "$copy"
  [[ -n "$scale" ]] && bounds+="$f=$scale "
done
echo "bounds on $card: $bounds" | tee -a "$out/card.txt"
# BUDGET (the session's seconds, default 540) counts the profiling or the build too.
exec env BUILD="$build" BOUNDS="$bounds" NO_GPU_TIMES=1 BUDGET=$(( ${BUDGET:-540} - (SECONDS - session_started) )) LIVE_ARGS="${LIVE_ARGS:-} --profile $profile" \
  bash "$root/tools/gpu_policy_session.sh"
