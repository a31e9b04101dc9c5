#!/usr/bin/env bash
# Call 4 of the twenty-sixth session (run from the repository root as `bash tools/device_call_26d.sh`; kept here as call4.sh), branching on the card.
#   H200: a kernel report at 8 and 132 SMs with UNet (the fill share weights), then the waiting family call.
#   other (H100): sgprs-best past its edge with event logs (deadlines 0.65-0.75 and tight 0.7; call 2's
#         archive cap dropped three of those logs), for validating the simulator's optimism past the edge.
set -uo pipefail
cd "$(dirname "$0")/../../.."  # the repository root from traces/live/<run>/
card="$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)"
echo "card: $card"; nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv | tee "$OUT/card.txt"
t0=$SECONDS
root="$(pwd)"; log() { echo "[call26d] $*"; }
source tools/gpu_build_env.sh
build=/tmp/sgprs-build-policy
configure_sgprs $build > /tmp/build26.log 2>&1 && cmake --build $build -j "$(nproc)" --target sgprs >> /tmp/build26.log 2>&1 \
  || { echo "build failed"; tail -20 /tmp/build26.log; exit 1; }
echo "built at +$((SECONDS-t0)) s"
mkdir -p $OUT/families
if [[ "$card" == *H200* ]]; then
  mkdir -p /tmp/k26
  timeout 90 $build/sgprs profile --models all --ops none --precision tf32 --no-occupied --sms 8,132 --quiet \
    --kernel-report /tmp/k26/h200-kernels-tf32.json --out /tmp/k26/h200-tf32-kernels.json 2>&1 | tail -2
  tar -cJf $OUT/kernels.tar.xz -C /tmp/k26 .
  echo "kernel report at +$((SECONDS-t0)) s"
  OUT=$OUT/families BUILD=$build PARTS=families FAMILIES="tight deadlines" SCHEDULERS="streams32-dm sgprs-best-mold-pm-chain" \
    FAMILY_FRACTIONS="0.6 0.65 0.7 0.75" BOUNDS="tight=1.299 camera=1.447 heavy=1.452 deadlines=4.338" \
    NO_TORCH=1 RUN_TIMEOUT=40 ARCHIVE_MIB=14 BUDGET=$((500 - (SECONDS - t0))) bash tools/gpu_card_session.sh 2>&1 | tail -14
else
  OUT=$OUT/families BUILD=$build PARTS=families FAMILIES="deadlines" SCHEDULERS="sgprs-best-mold-pm-chain" \
    FAMILY_FRACTIONS="0.65 0.7 0.75" BOUNDS="tight=1.301 camera=1.451 heavy=1.454 deadlines=4.346" NO_GPU_TIMES=1 \
    LIVE_ARGS="--profile traces/profiles/h100-tf32.json" NO_TORCH=1 RUN_TIMEOUT=40 ARCHIVE_MIB=14 BUDGET=150 \
    bash tools/gpu_policy_session.sh 2>&1 | tail -6
fi
echo "done at +$((SECONDS-t0)) s"
